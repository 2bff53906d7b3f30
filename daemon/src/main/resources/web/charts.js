// Small SVG line charts for the live page: no library, nothing fetched from elsewhere.
(function () {
  'use strict';
  const NS = 'http://www.w3.org/2000/svg';
  const W = 400, H = 180, L = 48, R = 8, T = 8, B = 20;

  function el(name, attrs, text) {
    const e = document.createElementNS(NS, name);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function fmt(v) {
    if (!isFinite(v)) return String(v);
    const a = Math.abs(v);
    return (a !== 0 && (a < 1e-3 || a >= 1e4)) ? v.toExponential(1) : String(+v.toPrecision(3));
  }

  // series: [{label, color, x: [...], y: [...], dash}]; opts: {log}. Non-finite points (and
  // non-positive ones on a log scale) break the line instead of bending it.
  function line(svg, series, opts) {
    opts = opts || {};
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    const ok = (y) => isFinite(y) && (!opts.log || y > 0);
    const tr = (y) => opts.log ? Math.log10(y) : y;
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity, n = 0;
    for (const s of series) {
      for (let i = 0; i < s.x.length; i++) {
        const y = Number(s.y[i]);
        if (!ok(y)) continue;
        n++;
        x0 = Math.min(x0, s.x[i]); x1 = Math.max(x1, s.x[i]);
        y0 = Math.min(y0, tr(y)); y1 = Math.max(y1, tr(y));
      }
    }
    svg.setAttribute('data-points', String(n));
    if (n === 0) {
      svg.appendChild(el('text', {x: W / 2, y: H / 2, 'text-anchor': 'middle'}, 'no data yet'));
      return;
    }
    if (x1 === x0) { x0 -= 1; x1 += 1; }
    if (y1 === y0) { const d = Math.abs(y0) * 0.1 || 1; y0 -= d; y1 += d; }
    const px = (x) => L + (x - x0) / (x1 - x0) * (W - L - R);
    const py = (y) => T + (1 - (tr(y) - y0) / (y1 - y0)) * (H - T - B);
    const back = (v) => opts.log ? Math.pow(10, v) : v;
    svg.appendChild(el('line', {x1: L, y1: T, x2: L, y2: H - B, stroke: '#c5cad1'}));
    svg.appendChild(el('line', {x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: '#c5cad1'}));
    svg.appendChild(el('text', {x: L - 4, y: T + 8, 'text-anchor': 'end'}, fmt(back(y1))));
    svg.appendChild(el('text', {x: L - 4, y: H - B, 'text-anchor': 'end'}, fmt(back(y0))));
    svg.appendChild(el('text', {x: L, y: H - 6}, fmt(x0)));
    svg.appendChild(el('text', {x: W - R, y: H - 6, 'text-anchor': 'end'}, fmt(x1)));
    let lx = L + 6;
    for (const s of series) {
      let pts = [];
      const flush = () => {
        if (pts.length > 1) {
          const attrs = {points: pts.join(' '), fill: 'none', stroke: s.color, 'stroke-width': 1.5,
            'class': 'series', 'data-label': s.label};
          if (s.dash) attrs['stroke-dasharray'] = '5 4';
          svg.appendChild(el('polyline', attrs));
        } else if (pts.length === 1) {
          const [cx, cy] = pts[0].split(',');
          svg.appendChild(el('circle', {cx: cx, cy: cy, r: 2, fill: s.color, 'class': 'series'}));
        }
        pts = [];
      };
      for (let i = 0; i < s.x.length; i++) {
        const y = Number(s.y[i]);
        if (ok(y)) pts.push(px(s.x[i]).toFixed(1) + ',' + py(y).toFixed(1)); else flush();
      }
      flush();
      if (series.length > 1) {
        const t = el('text', {x: lx, y: T + 10, fill: s.color}, s.label);
        t.style.fill = s.color;
        svg.appendChild(t);
        lx += 8 + 6 * s.label.length;
      }
    }
  }

  window.ThCharts = {line: line, fmt: fmt};
})();
