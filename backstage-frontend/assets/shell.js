// backstage-rs app shell: light/dark theme switch.
// Without a stored choice the page follows the system setting (CSS media
// query); a click stores the other theme in localStorage.
(function () {
  'use strict';
  var KEY = 'backstage-theme';
  var root = document.documentElement;

  function stored() {
    try { return window.localStorage.getItem(KEY); } catch (e) { return null; }
  }
  function apply(theme) {
    if (theme === 'light' || theme === 'dark') { root.setAttribute('data-theme', theme); }
    else { root.removeAttribute('data-theme'); }
  }
  function current() {
    var chosen = root.getAttribute('data-theme');
    if (chosen) { return chosen; }
    return window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  }

  apply(stored());

  document.addEventListener('DOMContentLoaded', function () {
    var button = document.getElementById('theme-toggle');
    if (!button) { return; }
    function label() {
      var dark = current() === 'dark';
      button.setAttribute('aria-pressed', dark ? 'true' : 'false');
      button.textContent = dark ? 'Light theme' : 'Dark theme';
    }
    label();
    button.addEventListener('click', function () {
      var next = current() === 'dark' ? 'light' : 'dark';
      apply(next);
      try { window.localStorage.setItem(KEY, next); } catch (e) { /* private mode: not remembered */ }
      label();
    });
  });
})();
