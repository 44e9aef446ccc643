// Small SVG charts drawn here (no library): bars for counts per day, a line for a running total.
const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 480;
const HEIGHT = 160;
const PAD = { left: 66, right: 8, top: 10, bottom: 22 };

function el(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function frame(title, description) {
  const svg = el('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', class: 'chart' });
  svg.append(el('title', {}, title), el('desc', {}, description));
  return svg;
}

function axis(svg, max, format, labels) {
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  for (const fraction of [0, 0.5, 1]) {
    const y = PAD.top + plotHeight * (1 - fraction);
    svg.append(el('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: y, y2: y, class: 'grid' }));
    svg.append(el('text', { x: PAD.left - 6, y: y + 4, 'text-anchor': 'end', class: 'tick' }, format(max * fraction)));
  }
  if (labels.length > 0) {
    svg.append(el('text', { x: PAD.left, y: HEIGHT - 6, class: 'tick' }, labels[0]));
    svg.append(el('text', { x: WIDTH - PAD.right, y: HEIGHT - 6, 'text-anchor': 'end', class: 'tick' }, labels[labels.length - 1]));
  }
}

function niceMax(value) {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (value <= step * power) return step * power;
  }
  return 10 * power;
}

/** points: [{label, value}] */
export function barChart(title, points, format = String) {
  const max = niceMax(Math.max(0, ...points.map((p) => p.value)));
  const svg = frame(title, points.map((p) => `${p.label}: ${format(p.value)}`).join(', '));
  axis(svg, max, format, points.map((p) => p.label));
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotWidth / Math.max(points.length, 1);
  points.forEach((p, i) => {
    const height = (p.value / max) * plotHeight;
    const bar = el('rect', {
      x: PAD.left + i * slot + slot * 0.15,
      y: PAD.top + plotHeight - height,
      width: Math.max(slot * 0.7, 1),
      height: Math.max(height, p.value > 0 ? 1 : 0),
      class: 'bar',
    });
    bar.append(el('title', {}, `${p.label}: ${format(p.value)}`));
    svg.append(bar);
  });
  return svg;
}

/** points: [{label, value}], drawn as a line with its area. */
export function lineChart(title, points, format = String) {
  const max = niceMax(Math.max(0, ...points.map((p) => p.value)));
  const svg = frame(title, points.length ? `${points[0].label}: ${format(points[0].value)} … ${points[points.length - 1].label}: ${format(points[points.length - 1].value)}` : 'no data yet');
  axis(svg, max, format, points.map((p) => p.label));
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const x = (i) => PAD.left + (points.length < 2 ? plotWidth / 2 : (i * plotWidth) / (points.length - 1));
  const y = (v) => PAD.top + plotHeight * (1 - v / max);
  if (points.length > 0) {
    const line = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
    const bottom = PAD.top + plotHeight;
    svg.append(el('path', { d: `${line} L${x(points.length - 1).toFixed(1)},${bottom} L${x(0).toFixed(1)},${bottom} Z`, class: 'area' }));
    svg.append(el('path', { d: line, class: 'line' }));
    const last = points[points.length - 1];
    svg.append(el('circle', { cx: x(points.length - 1), cy: y(last.value), r: 3, class: 'dot' }));
  }
  return svg;
}
