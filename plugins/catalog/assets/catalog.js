// backstage-rs catalog: submit the filter form as soon as a picker changes.
// The form is a plain GET form, so without this script "Apply" does the
// same; nothing here is needed for the page to work.
(function () {
  'use strict';
  document.addEventListener('DOMContentLoaded', function () {
    var form = document.getElementById('catalog-filters');
    if (!form) { return; }
    form.querySelectorAll('select[data-autosubmit]').forEach(function (select) {
      select.addEventListener('change', function () { form.submit(); });
    });
  });
})();
