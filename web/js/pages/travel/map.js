// The plan's overview: an SVG of Singapore drawn from the dataset's own coordinates (no
// tiles, no network): the island's shape is the hull of every attraction, faint dots are
// all of them, and the chosen day's (or the whole plan's) attractions are numbered, coloured
// by slot.

import { t } from '../../i18n.js';

const NS = 'http://www.w3.org/2000/svg';
const WIDTH = 600;
const PAD = 24;

function svg(tag, attrs = {}, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** Andrew's monotone chain: the convex hull of [x, y] points, counter-clockwise. */
export function hull(points) {
  const pts = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (pts.length < 3) return pts;
  const cross = (o, a, b) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower = [];
  for (const p of pts) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper = [];
  for (const p of pts.reverse()) {
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p) <= 0) upper.pop();
    upper.push(p);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

/** A projection of (lat, lng) onto the drawing, equirectangular at Singapore's latitude. */
function projection(all) {
  const lats = all.map((a) => a.lat);
  const lngs = all.map((a) => a.lng);
  const [minLat, maxLat, minLng, maxLng] = [Math.min(...lats), Math.max(...lats), Math.min(...lngs), Math.max(...lngs)];
  const k = Math.cos((1.35 * Math.PI) / 180);
  const scale = (WIDTH - 2 * PAD) / ((maxLng - minLng) * k || 1);
  const height = Math.round((maxLat - minLat) * scale + 2 * PAD);
  return {
    height,
    at: (lat, lng) => [PAD + (lng - minLng) * k * scale, PAD + (maxLat - lat) * scale],
  };
}

/**
 * Draws the overview: `all` is the dataset, `stops` the points to number
 * (`{lat, lng, name, slot, n}`), `what` names them for screen readers.
 */
export function overview(all, stops, what) {
  const { height, at } = projection(all);
  const root = svg('svg', { viewBox: `0 0 ${WIDTH} ${height}`, class: 'travel-map', role: 'img', 'aria-label': t('travel.mapLabel', { what }) });
  const shape = hull(all.map((a) => at(a.lat, a.lng)));
  root.append(svg('polygon', { points: shape.map((p) => p.map((v) => v.toFixed(1)).join(',')).join(' '), class: 'map-land' }));
  for (const a of all) {
    const [x, y] = at(a.lat, a.lng);
    root.append(svg('circle', { cx: x.toFixed(1), cy: y.toFixed(1), r: 2, class: 'map-dot' }));
  }
  for (const s of stops) {
    const [x, y] = at(s.lat, s.lng);
    const g = svg('g', { class: `map-stop slot-${s.slot}` });
    g.append(svg('title', {}, s.name));
    g.append(svg('circle', { cx: x.toFixed(1), cy: y.toFixed(1), r: 9 }));
    g.append(svg('text', { x: x.toFixed(1), y: (y + 3.5).toFixed(1), 'text-anchor': 'middle' }, String(s.n)));
    root.append(g);
  }
  return root;
}
