// The attention explorer's script: reads the JSON block #explorer-data and draws the selected view. Text from the
// data is only ever set as textContent or drawn on a canvas, never parsed as markup. window.explorer is the page's
// state and the hooks the browser tests drive.
(function () {
  'use strict';
  var LONG_SEQUENCE = 128;
  var ROW = 20;                       // px per token in the head view
  var PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f',
    '#bcbd22', '#17becf', '#393b79', '#ad494a'];
  var DARK = [8, 48, 107];            // the heatmaps' colour for the largest weight shown; white for 0
  var DECODE = new Float32Array(256); // one byte -> weight: (q / 255)^2
  for (var q = 0; q < 256; q++) { DECODE[q] = (q / 255) * (q / 255); }

  var data = JSON.parse(document.getElementById('explorer-data').textContent);
  var $ = function (id) { return document.getElementById(id); };
  var decoded = [];                   // per view: Uint8Array (layers, heads, queries, keys)
  var thumbnails = [];                // per view: the model view's table, built once
  var state = { view: 0, mode: 'head', layer: 0, heads: [0], focus: null, pinned: null };

  function headColor(h) {
    return h < PALETTE.length ? PALETTE[h] : 'hsl(' + Math.round((h * 137.508) % 360) + ', 60%, 45%)';
  }
  function view() { return data.views[state.view]; }
  function bytes(v) {
    if (!decoded[v]) {
      var bin = atob(data.views[v].weights);
      var out = new Uint8Array(bin.length);
      for (var i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
      decoded[v] = out;
    }
    return decoded[v];
  }
  function offset(v, layer, head) {
    var d = data.views[v];
    return (layer * d.heads + head) * d.queries.length * d.keys.length;
  }
  function weight(layer, head, row, col) {
    var d = view();
    return DECODE[bytes(state.view)[offset(state.view, layer, head) + row * d.keys.length + col]];
  }
  function isLong(d) { return d.queries.length > LONG_SEQUENCE || d.keys.length > LONG_SEQUENCE; }
  function shade(t) {                 // t in [0, 1] -> [r, g, b], white to DARK
    return [Math.round(255 + (DARK[0] - 255) * t), Math.round(255 + (DARK[1] - 255) * t),
      Math.round(255 + (DARK[2] - 255) * t)];
  }
  function clear(el) { while (el.firstChild) { el.removeChild(el.firstChild); } }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }

  // ---- controls ---------------------------------------------------------------------------------------------
  function buildViewSelect() {
    var select = $('view-select');
    data.views.forEach(function (d, i) {
      var o = el('option', d.title + (d.kind === 'cross' && !/cross/i.test(d.title) ? ' (cross-attention)' : ''));
      o.value = String(i);
      select.appendChild(o);
    });
    select.addEventListener('change', function () { api.selectView(Number(select.value)); });
    document.title = data.title;
    $('title').textContent = data.title;
  }

  function buildControls() {
    var d = view();
    var layers = $('layer-select');
    clear(layers);
    for (var l = 0; l < d.layers; l++) {
      var o = el('option', 'layer ' + l);
      o.value = String(l);
      layers.appendChild(o);
    }
    layers.value = String(state.layer);
    var boxes = $('head-boxes');
    clear(boxes);
    for (var h = 0; h < d.heads; h++) {
      var label = el('label');
      label.style.borderBottomColor = headColor(h);
      var box = document.createElement('input');
      box.type = 'checkbox';
      box.dataset.head = String(h);
      box.checked = state.heads.indexOf(h) >= 0;
      box.addEventListener('change', function () {
        var hs = [];
        boxes.querySelectorAll('input').forEach(function (b) { if (b.checked) { hs.push(Number(b.dataset.head)); } });
        api.setHeads(hs);
      });
      label.appendChild(box);
      label.appendChild(document.createTextNode(String(h)));
      boxes.appendChild(label);
    }
    var cross = d.kind === 'cross';
    document.querySelector('#modes [data-mode="head"]').textContent = cross ? 'Lines' : 'Head view';
    document.querySelector('#modes [data-mode="heatmap"]').textContent = cross ? 'Alignment' : 'Heatmap';
  }

  function syncControls() {
    $('view-select').value = String(state.view);
    $('layer-select').value = String(state.layer);
    $('head-boxes').querySelectorAll('input').forEach(function (b) {
      b.checked = state.heads.indexOf(Number(b.dataset.head)) >= 0;
    });
    document.querySelectorAll('#modes button').forEach(function (b) {
      b.classList.toggle('active', b.dataset.mode === state.mode);
    });
    document.body.dataset.mode = state.mode;
    document.body.dataset.view = String(state.view);
    document.body.dataset.kind = view().kind;
    var d = view();
    $('info').textContent = d.layers + ' layers \u00d7 ' + d.heads + ' heads, ' + (d.kind === 'cross'
      ? d.keys.length + ' source \u00d7 ' + d.queries.length + ' target tokens'
      : d.queries.length + ' tokens');
  }

  // ---- head view: lines from queries (left) to keys (right) ---------------------------------------------------
  function buildTokenColumns() {
    var d = view();
    [['query-column', d.queries, 'q'], ['key-column', d.keys, 'k']].forEach(function (c) {
      var column = $(c[0]);
      clear(column);
      c[1].forEach(function (t, i) {
        var div = el('div', t, 'token');
        div.title = t;
        div.dataset.side = c[2];
        div.dataset.index = String(i);
        div.addEventListener('mouseenter', function () { state.focus = { side: c[2], index: i }; render(); });
        div.addEventListener('mouseleave', function () { state.focus = null; render(); });
        div.addEventListener('click', function () {
          var p = state.pinned;
          state.pinned = p && p.side === c[2] && p.index === i ? null : { side: c[2], index: i };
          render();
        });
        column.appendChild(div);
      });
    });
  }

  function drawHeadView() {
    var d = view();
    var nq = d.queries.length, nk = d.keys.length;
    var canvas = $('head-canvas');
    var width = 240, height = Math.max(nq, nk) * ROW;
    if (canvas.width !== width || canvas.height !== height) { canvas.width = width; canvas.height = height; }
    var ctx = canvas.getContext('2d');
    ctx.clearRect(0, 0, width, height);
    var focus = state.focus || state.pinned || (isLong(d) ? { side: 'q', index: 0 } : null);
    var qs = [], ks = [];
    for (var i = 0; i < nq; i++) { if (!focus || focus.side === 'k' || focus.index === i) { qs.push(i); } }
    for (var j = 0; j < nk; j++) { if (!focus || focus.side === 'q' || focus.index === j) { ks.push(j); } }
    var buf = bytes(state.view), lines = 0;
    var keyShade = new Float32Array(nk), queryShade = new Float32Array(nq);
    ctx.lineWidth = 2;
    // One path per head and opacity level (weight rounded up to 1/32), stroked once: tens of thousands of lines
    // (128 tokens, 12 heads) draw in milliseconds instead of seconds.
    state.heads.forEach(function (h) {
      var base = offset(state.view, state.layer, h), paths = [];
      qs.forEach(function (i) {
        ks.forEach(function (j) {
          var w = DECODE[buf[base + i * nk + j]];
          if (w < 1 / 255) { return; }
          if (w > keyShade[j]) { keyShade[j] = w; }
          if (w > queryShade[i]) { queryShade[i] = w; }
          var level = Math.min(32, Math.ceil(w * 32));
          var path = paths[level] || (paths[level] = new Path2D());
          path.moveTo(0, (i + 0.5) * ROW);
          path.lineTo(width, (j + 0.5) * ROW);
          lines++;
        });
      });
      ctx.strokeStyle = headColor(h);
      paths.forEach(function (path, level) {
        ctx.globalAlpha = level / 32;
        ctx.stroke(path);
      });
    });
    ctx.globalAlpha = 1;
    var tint = function (column, side, shadeOf) {
      $(column).querySelectorAll('.token').forEach(function (div, k) {
        var f = focus && focus.side === side && focus.index === k;
        div.classList.toggle('focused', !!f);
        var p = state.pinned;
        div.classList.toggle('pinned', !!(p && p.side === side && p.index === k));
        var a = focus && focus.side !== side ? shadeOf[k] : 0;
        if (!(p && p.side === side && p.index === k)) {
          div.style.background = a > 0 ? 'rgba(31, 119, 180, ' + Math.min(1, a).toFixed(3) + ')' : '';
        } else {
          div.style.background = '';
        }
      });
    };
    tint('query-column', 'q', queryShade);
    tint('key-column', 'k', keyShade);
    canvas.dataset.lines = String(lines);
    return { lines: lines, focus: focus };
  }

  // ---- heatmap: queries x keys on a canvas, pixel by pixel through ImageData ------------------------------------
  var heat = null;                    // geometry of the last heatmap, for the tooltip

  function drawHeatmap() {
    var d = view();
    var nq = d.queries.length, nk = d.keys.length;
    var m = new Float32Array(nq * nk), max = 0;
    var buf = bytes(state.view), hs = state.heads.length ? state.heads : [];
    hs.forEach(function (h) {
      var base = offset(state.view, state.layer, h);
      for (var k = 0; k < nq * nk; k++) { m[k] += DECODE[buf[base + k]] / hs.length; }
    });
    for (var k = 0; k < m.length; k++) { if (m[k] > max) { max = m[k]; } }
    var cell = Math.max(1, Math.min(32, Math.floor(1024 / Math.max(nq, nk))));
    var labels = cell >= 10;
    var canvas = $('heatmap-canvas');
    var ctx = canvas.getContext('2d');
    var font = '12px system-ui, "WenQuanYi Micro Hei", sans-serif';
    ctx.font = font;
    var widest = function (tokens) {
      var w = 0;
      tokens.forEach(function (t) { w = Math.max(w, ctx.measureText(cut(t)).width); });
      return Math.ceil(w);
    };
    var left = labels ? widest(d.queries) + 12 : 24, top = labels ? widest(d.keys) + 12 : 24;
    canvas.width = left + nk * cell + 8;
    canvas.height = top + nq * cell + 8;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    var image = ctx.createImageData(nk * cell, nq * cell);
    var px = image.data, rowStride = nk * cell * 4;
    var lut = [];
    for (var s = 0; s < 256; s++) { lut.push(shade(s / 255)); }
    for (var i = 0; i < nq; i++) {
      for (var j = 0; j < nk; j++) {
        var c = lut[max > 0 ? Math.round(255 * Math.sqrt(m[i * nk + j] / max)) : 0];
        for (var y = 0; y < cell; y++) {
          var p = (i * cell + y) * rowStride + j * cell * 4;
          for (var x = 0; x < cell; x++, p += 4) { px[p] = c[0]; px[p + 1] = c[1]; px[p + 2] = c[2]; px[p + 3] = 255; }
        }
      }
    }
    ctx.putImageData(image, left, top);
    ctx.fillStyle = '#333';
    ctx.font = font;
    if (labels) {
      ctx.textAlign = 'right';
      ctx.textBaseline = 'middle';
      d.queries.forEach(function (t, r) { ctx.fillText(cut(t), left - 6, top + (r + 0.5) * cell); });
      ctx.save();
      ctx.translate(left, top - 6);
      ctx.rotate(-Math.PI / 2);
      ctx.textAlign = 'left';
      d.keys.forEach(function (t, c2) { ctx.fillText(cut(t), 0, (c2 + 0.5) * cell); });
      ctx.restore();
    } else {
      ctx.textAlign = 'left';
      ctx.textBaseline = 'alphabetic';
      ctx.fillText(d.kind === 'cross' ? 'source \u2192' : 'keys \u2192', left, top - 8);
    }
    heat = { left: left, top: top, cell: cell, matrix: m, nq: nq, nk: nk };
    canvas.dataset.cell = String(cell);
    var heads = hs.length === 0 ? 'no head selected' : hs.length === 1 ? 'head ' + hs[0]
      : 'mean of ' + hs.length + ' heads';
    $('heatmap-caption').textContent = 'Layer ' + state.layer + ', ' + heads + '. Rows: ' +
      (d.kind === 'cross' ? 'target tokens' : 'queries') + ', columns: ' +
      (d.kind === 'cross' ? 'source tokens' : 'keys') + '. Colour: \u221a(weight / ' + max.toFixed(3) +
      '), white = 0. Hover for values.';
    return { cell: cell, max: max, left: left, top: top };
  }

  function cut(t) { return t.length > 14 ? t.slice(0, 13) + '\u2026' : t; }

  function heatmapHover(ev) {
    var canvas = $('heatmap-canvas'), tip = $('tooltip');
    if (!heat) { return; }
    var r = canvas.getBoundingClientRect();
    var x = ev.clientX - r.left, y = ev.clientY - r.top;
    var col = Math.floor((x - heat.left) / heat.cell), row = Math.floor((y - heat.top) / heat.cell);
    if (row < 0 || col < 0 || row >= heat.nq || col >= heat.nk) {
      tip.style.display = 'none';
      api.hover = null;
      return;
    }
    var d = view(), w = heat.matrix[row * heat.nk + col];
    api.hover = { row: row, col: col, query: d.queries[row], key: d.keys[col], weight: w };
    tip.textContent = d.queries[row] + ' (' + row + ') \u2192 ' + d.keys[col] + ' (' + col + '): ' + w.toFixed(4);
    tip.style.display = 'block';
    tip.style.left = (x + 14) + 'px';
    tip.style.top = (y + 14) + 'px';
  }

  // ---- model view: every layer x head as a thumbnail, max-pooled to at most 96 px --------------------------------
  function buildModelView() {
    var v = state.view;
    if (thumbnails[v]) { return thumbnails[v]; }
    var d = view(), nq = d.queries.length, nk = d.keys.length, buf = bytes(v);
    var size = Math.max(24, Math.min(96, Math.floor(960 / d.heads) - 8));
    var tw = Math.min(size, nk * Math.max(1, Math.floor(size / nk))), th = Math.min(size, nq * Math.max(1, Math.floor(size / nq)));
    var table = el('table'), head = el('tr');
    head.appendChild(el('th', ''));
    for (var h = 0; h < d.heads; h++) { head.appendChild(el('th', 'head ' + h)); }
    table.appendChild(head);
    for (var l = 0; l < d.layers; l++) {
      var tr = el('tr');
      tr.appendChild(el('th', 'layer ' + l));
      for (h = 0; h < d.heads; h++) {
        var canvas = document.createElement('canvas');
        canvas.width = tw;
        canvas.height = th;
        canvas.dataset.layer = String(l);
        canvas.dataset.head = String(h);
        canvas.title = 'layer ' + l + ', head ' + h;
        thumbnail(canvas, buf, offset(v, l, h), nq, nk);
        canvas.addEventListener('click', (function (layer, hd) {
          return function () {
            api.selectHead(layer, hd);
            api.selectMode(isLong(view()) ? 'heatmap' : 'head');
          };
        })(l, h));
        var td = el('td');
        td.appendChild(canvas);
        tr.appendChild(td);
      }
      table.appendChild(tr);
    }
    thumbnails[v] = table;
    return table;
  }

  function thumbnail(canvas, buf, base, nq, nk) {
    var tw = canvas.width, th = canvas.height, pooled = new Float32Array(tw * th), max = 0;
    for (var y = 0; y < th; y++) {
      var r0 = Math.floor(y * nq / th), r1 = Math.max(r0 + 1, Math.floor((y + 1) * nq / th));
      for (var x = 0; x < tw; x++) {
        var c0 = Math.floor(x * nk / tw), c1 = Math.max(c0 + 1, Math.floor((x + 1) * nk / tw)), best = 0;
        for (var r = r0; r < r1; r++) {
          var p = base + r * nk;
          for (var c = c0; c < c1; c++) { var w = DECODE[buf[p + c]]; if (w > best) { best = w; } }
        }
        pooled[y * tw + x] = best;
        if (best > max) { max = best; }
      }
    }
    var ctx = canvas.getContext('2d'), image = ctx.createImageData(tw, th), px = image.data;
    for (var k = 0; k < pooled.length; k++) {
      var s = shade(max > 0 ? Math.sqrt(pooled[k] / max) : 0);
      px[4 * k] = s[0]; px[4 * k + 1] = s[1]; px[4 * k + 2] = s[2]; px[4 * k + 3] = 255;
    }
    ctx.putImageData(image, 0, 0);
  }

  function drawModelView() {
    var grid = $('model-grid');
    var table = buildModelView();
    if (grid.firstChild !== table) { clear(grid); grid.appendChild(table); }
    table.querySelectorAll('canvas').forEach(function (c) {
      c.classList.toggle('current', Number(c.dataset.layer) === state.layer &&
        state.heads.indexOf(Number(c.dataset.head)) >= 0);
    });
    return { thumbnails: table.querySelectorAll('canvas').length };
  }

  // ---- entropy: layer x head table -------------------------------------------------------------------------------
  function drawEntropy() {
    var d = view(), table = $('entropy-table');
    clear(table);
    var head = el('tr');
    head.appendChild(el('th', 'layer \\ head'));
    for (var h = 0; h < d.heads; h++) { head.appendChild(el('th', String(h))); }
    table.appendChild(head);
    for (var l = 0; l < d.layers; l++) {
      var tr = el('tr');
      tr.appendChild(el('th', String(l)));
      for (h = 0; h < d.heads; h++) {
        var e = d.entropy[l][h];
        var td = el('td', e === null ? 'n/a' : e.toFixed(2));
        td.dataset.layer = String(l);
        td.dataset.head = String(h);
        td.dataset.entropy = e === null ? '' : String(e);
        if (e !== null) {
          var s = shade(1 - e);
          td.style.background = 'rgb(' + s.join(',') + ')';
          td.style.color = 1 - e > 0.55 ? '#fff' : '#1f1f1f';
        }
        if (l === state.layer && state.heads.indexOf(h) >= 0) { td.style.outline = '2px solid #d62728'; }
        td.addEventListener('click', (function (layer, hd) {
          return function () { api.selectHead(layer, hd); api.selectMode(isLong(view()) ? 'heatmap' : 'head'); };
        })(l, h));
        tr.appendChild(td);
      }
      table.appendChild(tr);
    }
    return { cells: d.layers * d.heads };
  }

  // ---- rendering and the state the tests read ----------------------------------------------------------------
  function render() {
    var t0 = performance.now();
    syncControls();
    var result;
    if (state.mode === 'head') { result = drawHeadView(); }
    else if (state.mode === 'model') { result = drawModelView(); }
    else if (state.mode === 'heatmap') { result = drawHeatmap(); }
    else { result = drawEntropy(); }
    var ms = performance.now() - t0;
    var d = view();
    api.view = state.view;
    api.kind = d.kind;
    api.mode = state.mode;
    api.layer = state.layer;
    api.selectedHeads = state.heads.slice();
    api.layers = d.layers;
    api.heads = d.heads;
    api.tokens = d.queries.slice();
    api.keyTokens = d.keys.slice();
    api.lastRenderMs = ms;
    api.renders++;
    api.drawn = Object.assign({ mode: state.mode, layer: state.layer, heads: state.heads.slice(), ms: ms }, result);
  }

  var api = {
    ready: false,
    renders: 0,
    hover: null,
    views: data.views.map(function (d) {
      return { kind: d.kind, title: d.title, layers: d.layers, heads: d.heads, queries: d.queries.length,
        keys: d.keys.length };
    }),
    selectView: function (v) {
      if (!(v >= 0 && v < data.views.length)) { throw new RangeError('view ' + v + ' not in [0, ' + data.views.length + ')'); }
      state.view = v;
      state.layer = 0;
      state.heads = [0];
      state.focus = state.pinned = null;
      state.mode = isLong(view()) ? 'heatmap' : 'head';
      buildControls();
      buildTokenColumns();
      render();
    },
    selectMode: function (m) {
      if (['head', 'model', 'heatmap', 'entropy'].indexOf(m) < 0) { throw new RangeError('unknown mode ' + m); }
      state.mode = m;
      render();
    },
    selectLayer: function (l) {
      if (!(l >= 0 && l < view().layers)) { throw new RangeError('layer ' + l + ' not in [0, ' + view().layers + ')'); }
      state.layer = l;
      render();
    },
    setHeads: function (hs) {
      var d = view();
      hs.forEach(function (h) { if (!(h >= 0 && h < d.heads)) { throw new RangeError('head ' + h + ' not in [0, ' + d.heads + ')'); } });
      state.heads = hs.slice().sort(function (a, b) { return a - b; });
      render();
    },
    toggleHead: function (h) {
      var hs = state.heads.slice(), at = hs.indexOf(h);
      if (at >= 0) { hs.splice(at, 1); } else { hs.push(h); }
      api.setHeads(hs);
    },
    selectHead: function (l, h) {
      api.selectLayer(l);
      api.setHeads([h]);
    },
    focusToken: function (side, i) { state.pinned = i === null || i === undefined ? null : { side: side, index: i }; render(); },
    weight: function (l, h, i, j) { return weight(l, h, i, j); }
  };
  window.explorer = api;

  document.querySelectorAll('#modes button').forEach(function (b) {
    b.addEventListener('click', function () { api.selectMode(b.dataset.mode); });
  });
  $('layer-select').addEventListener('change', function () { api.selectLayer(Number($('layer-select').value)); });
  $('heads-all').addEventListener('click', function () {
    var hs = [];
    for (var h = 0; h < view().heads; h++) { hs.push(h); }
    api.setHeads(hs);
  });
  $('heads-none').addEventListener('click', function () { api.setHeads([]); });
  $('heatmap-canvas').addEventListener('mousemove', heatmapHover);
  $('heatmap-canvas').addEventListener('mouseleave', function () { $('tooltip').style.display = 'none'; });
  buildViewSelect();
  api.selectView(0);
  api.ready = true;
})();
