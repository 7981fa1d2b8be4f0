// backstage-rs Tech Radar: draws the radar from the data embedded in the
// page (#tech-radar-data). It makes no network request, and it writes text
// only through textContent, so entry data can never become markup.
(function () {
  'use strict';
  var SVG = 'http://www.w3.org/2000/svg';
  var RADIUS = 280;

  function el(ns, name, attrs, text) {
    var node = ns ? document.createElementNS(ns, name) : document.createElement(name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  // A small deterministic generator, so the radar looks the same on every load.
  function random(seed) {
    var state = seed % 2147483647;
    if (state <= 0) { state += 2147483646; }
    return function () { state = (state * 16807) % 2147483647; return (state - 1) / 2147483646; };
  }

  function movedText(moved) {
    return moved === 1 ? 'Moved in' : moved === -1 ? 'Moved out' : 'No change';
  }

  function safeUrl(url) {
    return typeof url === 'string' && /^https?:\/\//i.test(url) ? url : null;
  }

  function draw() {
    var source = document.getElementById('tech-radar-data');
    var svg = document.getElementById('tech-radar-svg');
    var legend = document.getElementById('tech-radar-legend');
    var details = document.getElementById('tech-radar-details');
    if (!source || !svg || !legend || !details) { return; }
    var data = JSON.parse(source.textContent);
    var quadrants = data.quadrants, rings = data.rings;
    var qIndex = {}, rIndex = {};
    quadrants.forEach(function (q, i) { qIndex[q.id] = i; });
    rings.forEach(function (r, i) { rIndex[r.id] = i; });

    var entries = data.entries.map(function (e) {
      var now = e.timeline[0];
      return { entry: e, q: qIndex[e.quadrant], r: rIndex[now.ringId], moved: now.moved };
    }).filter(function (e) { return e.q !== undefined && e.r !== undefined; });
    entries.sort(function (a, b) {
      return a.q - b.q || a.r - b.r || a.entry.title.localeCompare(b.entry.title);
    });
    entries.forEach(function (e, i) { e.number = i + 1; });

    // Rings, axes and labels.
    for (var k = rings.length - 1; k >= 0; k--) {
      svg.appendChild(el(SVG, 'circle', { cx: 0, cy: 0, r: RADIUS * (k + 1) / rings.length, 'class': 'tech-radar__ring' }));
    }
    svg.appendChild(el(SVG, 'line', { x1: -RADIUS, y1: 0, x2: RADIUS, y2: 0, 'class': 'tech-radar__axis' }));
    svg.appendChild(el(SVG, 'line', { x1: 0, y1: -RADIUS, x2: 0, y2: RADIUS, 'class': 'tech-radar__axis' }));
    rings.forEach(function (ring, k) {
      var y = -RADIUS * (k + 0.5) / rings.length;
      svg.appendChild(el(SVG, 'text', { x: 0, y: y, 'class': 'tech-radar__ring-label', 'text-anchor': 'middle' }, ring.name));
    });
    var corners = [[1, 1], [-1, 1], [-1, -1], [1, -1]];
    quadrants.forEach(function (q, i) {
      var c = corners[i];
      svg.appendChild(el(SVG, 'text', {
        x: c[0] * (RADIUS + 5), y: c[1] * (RADIUS + 20), 'class': 'tech-radar__quadrant-label',
        'text-anchor': c[0] > 0 ? 'end' : 'start'
      }, q.name));
    });

    // Blips: placed at random within their quadrant and ring, apart from each other.
    var placed = [];
    var blips = {};
    entries.forEach(function (e) {
      var rand = random(e.number * 7919 + 17);
      var inner = RADIUS * e.r / rings.length + 12, outer = RADIUS * (e.r + 1) / rings.length - 12;
      var start = e.q * Math.PI / 2 + 0.12, end = (e.q + 1) * Math.PI / 2 - 0.12;
      var x = 0, y = 0;
      for (var attempt = 0; attempt < 50; attempt++) {
        var radius = inner + rand() * Math.max(outer - inner, 1);
        var angle = start + rand() * (end - start);
        x = Math.cos(angle) * radius; y = Math.sin(angle) * radius;
        var clear = placed.every(function (p) { return Math.hypot(p[0] - x, p[1] - y) > 20; });
        if (clear) { break; }
      }
      placed.push([x, y]);
      var color = rings[e.r].color;
      var g = el(SVG, 'g', {
        'class': 'tech-radar-blip', 'data-entry-id': e.entry.id, tabindex: 0,
        transform: 'translate(' + x.toFixed(1) + ',' + y.toFixed(1) + ')'
      });
      g.appendChild(el(SVG, 'title', {}, e.entry.title));
      if (e.moved === 1) {
        g.appendChild(el(SVG, 'path', { d: 'M0,-12 L11,7 L-11,7 Z', fill: color, 'class': 'tech-radar-blip__shape' }));
      } else if (e.moved === -1) {
        g.appendChild(el(SVG, 'path', { d: 'M0,12 L11,-7 L-11,-7 Z', fill: color, 'class': 'tech-radar-blip__shape' }));
      } else {
        g.appendChild(el(SVG, 'circle', { r: 9, fill: color, 'class': 'tech-radar-blip__shape' }));
      }
      g.appendChild(el(SVG, 'text', { y: 3.5, 'text-anchor': 'middle', 'class': 'tech-radar-blip__number' }, String(e.number)));
      svg.appendChild(g);
      blips[e.entry.id] = { blip: g, item: null, e: e };
    });

    // Legend: quadrant, ring, numbered entries.
    quadrants.forEach(function (q, qi) {
      var section = el(null, 'section', { 'class': 'tech-radar__legend-quadrant' });
      section.appendChild(el(null, 'h3', {}, q.name));
      rings.forEach(function (ring, ri) {
        var inCell = entries.filter(function (e) { return e.q === qi && e.r === ri; });
        if (inCell.length === 0) { return; }
        section.appendChild(el(null, 'h4', {}, ring.name));
        var list = el(null, 'ol', {});
        inCell.forEach(function (e) {
          var li = el(null, 'li', { value: e.number, 'data-entry-id': e.entry.id, tabindex: 0, 'class': 'tech-radar__legend-item' });
          li.appendChild(el(null, 'span', {}, e.entry.title));
          if (e.moved !== 0) {
            li.appendChild(el(null, 'span', { 'class': 'tech-radar__moved', title: movedText(e.moved) }, e.moved === 1 ? ' \u25B2' : ' \u25BC'));
          }
          list.appendChild(li);
          blips[e.entry.id].item = li;
        });
        section.appendChild(list);
      });
      legend.appendChild(section);
    });

    function showDetails(e) {
      while (details.firstChild) { details.removeChild(details.firstChild); }
      details.appendChild(el(null, 'h3', { 'class': 'tech-radar__details-title' }, e.number + '. ' + e.entry.title));
      details.appendChild(el(null, 'p', { 'class': 'tech-radar__details-where' }, rings[e.r].name + ' \u00B7 ' + quadrants[e.q].name));
      details.appendChild(el(null, 'p', { 'class': 'tech-radar__details-moved' }, movedText(e.moved)));
      var text = e.entry.description || e.entry.timeline[0].description;
      if (text) { details.appendChild(el(null, 'p', { 'class': 'tech-radar__details-description' }, text)); }
      var links = [];
      if (safeUrl(e.entry.url)) { links.push({ title: 'Learn more', url: e.entry.url }); }
      (e.entry.links || []).forEach(function (l) { if (safeUrl(l.url)) { links.push(l); } });
      links.forEach(function (l) {
        var p = el(null, 'p', {});
        p.appendChild(el(null, 'a', { href: l.url, rel: 'noopener noreferrer' }, l.title));
        details.appendChild(p);
      });
    }

    function highlight(id) {
      Object.keys(blips).forEach(function (key) {
        var on = key === id;
        blips[key].blip.classList.toggle('is-highlighted', on);
        if (blips[key].item) { blips[key].item.classList.toggle('is-highlighted', on); }
      });
      svg.classList.toggle('has-highlight', id !== null);
      if (id !== null) { showDetails(blips[id].e); }
    }

    Object.keys(blips).forEach(function (id) {
      [blips[id].blip, blips[id].item].forEach(function (node) {
        if (!node) { return; }
        node.addEventListener('mouseenter', function () { highlight(id); });
        node.addEventListener('focus', function () { highlight(id); });
        node.addEventListener('mouseleave', function () { highlight(null); });
        node.addEventListener('blur', function () { highlight(null); });
      });
    });
    svg.setAttribute('data-entries', String(entries.length));
  }

  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', draw); } else { draw(); }
})();
