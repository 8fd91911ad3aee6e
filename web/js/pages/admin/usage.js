// The usage tab: a date range (quota days), totals per scope, a stacked bar chart of calls
// per day and a bar chart of the users with the most calls — both inline SVG drawn here,
// each with a text summary for screen readers and the same numbers as a table.

import * as api from '../../api.js';
import { h, field, errorBox } from '../../dom.js';
import { t, formatNumber, formatDate, formatTimeZone } from '../../i18n.js';
import { submitForm, loadInto } from '../../ui.js';
import { SCOPES, scopeName, calls } from './common.js';

const SVG = 'http://www.w3.org/2000/svg';

/** An SVG element with attributes (and text through textContent only). */
function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null) continue;
    if (key === 'text') el.textContent = String(value);
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) if (child) el.append(child);
  return el;
}

/** A "nice" top for an axis: 1, 2 or 5 times a power of ten, at least `max`. */
export function niceMax(max) {
  if (max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

/** The day as a short date in the UI language (the API's day is a plain `YYYY-MM-DD`). */
function dayLabel(day, style = 'short') {
  const [y, m, d] = day.split('-').map(Number);
  const date = new Date(y, m - 1, d);
  if (style === 'long') return formatDate(date);
  return `${m}/${d}`;
}

function legend() {
  return h('ul', { class: 'admin-legend', 'aria-hidden': 'true' },
    SCOPES.map((scope) => h('li', {}, h('span', { class: `admin-swatch admin-scope-${scope}` }), scopeName(scope))));
}

/**
 * The drawing width: the space the chart has (so its text keeps its size on a phone),
 * between 300 and 720 user units.
 */
function chartWidth(container) {
  const available = container && container.clientWidth ? container.clientWidth : 720;
  return Math.round(Math.max(300, Math.min(720, available)));
}

/** Stacked bars per day, `width` units wide; returns the <figure>. */
export function dayChart(report, width = 720) {
  const height = width < 500 ? 200 : 260;
  const pad = { top: 12, right: 12, bottom: 36, left: 40 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const days = report.days;
  const peak = days.reduce((best, d) => (d.total > best.total ? d : best), days[0]);
  const top = niceMax(peak ? peak.total : 0);
  const slot = plotW / days.length;
  const barW = Math.max(2, Math.min(36, slot * 0.7));
  const y = (n) => pad.top + plotH - (n / top) * plotH;
  const summary = report.total > 0
    ? t('admin.chartLabel', { from: dayLabel(report.from, 'long'), to: dayLabel(report.to, 'long'), total: formatNumber(report.total), peakDay: dayLabel(peak.day, 'long'), peak: formatNumber(peak.total) })
    : t('admin.chartEmpty', { from: dayLabel(report.from, 'long'), to: dayLabel(report.to, 'long') });
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, class: 'admin-chart', role: 'img', 'aria-label': summary, preserveAspectRatio: 'xMidYMid meet' });
  // Grid lines and axis labels at 0, the top and (when it is a whole number) half-way.
  for (const value of [0, top / 2, top].filter(Number.isInteger)) {
    svg.append(
      s('line', { x1: pad.left, x2: width - pad.right, y1: y(value), y2: y(value), class: 'admin-grid' }),
      s('text', { x: pad.left - 6, y: y(value) + 4, 'text-anchor': 'end', class: 'admin-axis', text: formatNumber(value) }));
  }
  // At most one day label per 60 units, so they never overlap.
  const every = Math.ceil(days.length / Math.max(1, Math.floor(plotW / 60)));
  days.forEach((day, i) => {
    const x = pad.left + i * slot + (slot - barW) / 2;
    const group = s('g', { class: 'admin-bar', 'data-day': day.day });
    let base = 0;
    for (const scope of SCOPES) {
      const n = day.counts[scope] || 0;
      if (!n) continue;
      group.append(s('rect', { x, y: y(base + n), width: barW, height: Math.max(0, y(base) - y(base + n)), class: `admin-scope-${scope}` }));
      base += n;
    }
    const detail = SCOPES.map((scope) => `${scopeName(scope)} ${formatNumber(day.counts[scope] || 0)}`).join(', ');
    group.prepend(s('title', { text: `${dayLabel(day.day, 'long')}: ${calls(day.total)} (${detail})` }));
    svg.append(group);
    // Counted back from the last day, so today always has its label.
    if ((days.length - 1 - i) % every === 0) {
      svg.append(s('text', { x: x + barW / 2, y: height - pad.bottom + 16, 'text-anchor': 'middle', class: 'admin-axis', text: dayLabel(day.day) }));
    }
  });
  return h('figure', { class: 'admin-figure' },
    h('figcaption', {}, h('h3', { text: t('admin.perDay') })),
    svg, legend(), dayTable(report));
}

/** The day chart's numbers as a table (collapsed under the chart). */
function dayTable(report) {
  return h('details', { class: 'admin-table-details' },
    h('summary', { text: t('admin.asTable') }),
    h('div', { class: 'admin-table-wrap' },
      h('table', { class: 'table admin-usage-table' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: t('admin.day') }), SCOPES.map((scope) => h('th', { scope: 'col', text: scopeName(scope) })), h('th', { scope: 'col', text: t('admin.total') }))),
        h('tbody', {}, report.days.map((day) => h('tr', { dataset: { day: day.day } },
          h('th', { scope: 'row', text: dayLabel(day.day, 'long') }),
          SCOPES.map((scope) => h('td', { text: formatNumber(day.counts[scope] || 0) })),
          h('td', { text: formatNumber(day.total) })))),
        h('tfoot', {}, h('tr', {},
          h('th', { scope: 'row', text: t('admin.total') }),
          SCOPES.map((scope) => h('td', { text: formatNumber(report.totals[scope] || 0) })),
          h('td', { text: formatNumber(report.total) }))))));
}

/** Horizontal bars for the top users, `width` units wide, with the numbers beside them. */
export function topChart(report, width = 720) {
  const users = report.top_users;
  if (!users.length) return h('p', { class: 'empty', text: t('admin.noTop') });
  const rowH = 28;
  const labelW = Math.round(Math.min(160, width * 0.38));
  const numberW = 48;
  const maxChars = Math.max(8, Math.floor(labelW / 8));
  const height = users.length * rowH + 8;
  const top = niceMax(users[0].total);
  const scale = (n) => (n / top) * (width - labelW - numberW - 12);
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, class: 'admin-chart admin-top-chart', role: 'img', 'aria-label': t('admin.topLabel', { n: users.length }), preserveAspectRatio: 'xMidYMid meet' });
  users.forEach((user, i) => {
    const y = i * rowH + 4;
    const group = s('g', { class: 'admin-top-row', 'data-user': user.id });
    group.append(s('title', { text: `${user.username}: ${calls(user.total)}` }));
    group.append(s('text', { x: labelW - 8, y: y + rowH / 2 + 4, 'text-anchor': 'end', class: 'admin-axis admin-top-name', text: user.username.length > maxChars ? `${user.username.slice(0, maxChars - 1)}…` : user.username }));
    let x = labelW;
    for (const scope of SCOPES) {
      const w = scale(user.counts[scope] || 0);
      if (w <= 0) continue;
      group.append(s('rect', { x, y: y + 4, width: w, height: rowH - 10, class: `admin-scope-${scope}` }));
      x += w;
    }
    group.append(s('text', { x: x + 6, y: y + rowH / 2 + 4, class: 'admin-axis', text: formatNumber(user.total) }));
    svg.append(group);
  });
  const list = h('ol', { class: 'admin-top-list' }, users.map((user) => h('li', { dataset: { user: user.id } },
    h('strong', { text: user.username }), ' ',
    h('span', { class: 'muted', text: user.email || '' }), ' — ',
    calls(user.total), ' (',
    SCOPES.filter((scope) => user.counts[scope]).map((scope) => `${scopeName(scope)} ${formatNumber(user.counts[scope])}`).join(', '), ')')));
  return h('div', {}, svg, legend(), h('details', { class: 'admin-table-details' }, h('summary', { text: t('admin.asTable') }), list));
}

function totals(report) {
  return h('ul', { class: 'admin-totals' },
    h('li', { class: 'admin-total-all' }, h('span', { text: t('admin.total') }), h('strong', { text: formatNumber(report.total) })),
    SCOPES.map((scope) => h('li', { dataset: { scope } }, h('span', {}, h('span', { class: `admin-swatch admin-scope-${scope}`, 'aria-hidden': 'true' }), scopeName(scope)), h('strong', { text: formatNumber(report.totals[scope] || 0) }))));
}

export async function render(panel) {
  const from = field({ id: 'usage-from', label: t('admin.from'), type: 'date' });
  from.input.name = 'from';
  const to = field({ id: 'usage-to', label: t('admin.to'), type: 'date' });
  to.input.name = 'to';
  const box = errorBox();
  const hint = h('p', { class: 'field-hint' });
  const form = h('form', { class: 'admin-filters', novalidate: true },
    h('div', { class: 'admin-filter-fields' }, from.wrap, to.wrap),
    hint,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button', text: t('admin.show') })),
    box);
  const result = h('div', { class: 'admin-usage', 'aria-live': 'polite' });

  function draw(report) {
    from.input.value = report.from;
    to.input.value = report.to;
    hint.textContent = t('admin.rangeHint', { tz: formatTimeZone(report.timezone) });
    const width = chartWidth(result);
    result.replaceChildren(
      totals(report),
      dayChart(report, width),
      h('section', { class: 'admin-top' }, h('h3', { text: t('admin.topUsers') }), topChart(report, width)));
  }

  const query = () => {
    const params = new URLSearchParams();
    if (from.input.value) params.set('from', from.input.value);
    if (to.input.value) params.set('to', to.input.value);
    return `/api/admin/usage?${params}`;
  };

  submitForm(form, {
    box,
    send: async () => draw(await api.get(query())),
  });
  panel.append(form, result);
  const report = await loadInto(result, api.get('/api/admin/usage'));
  if (report) draw(report);
  return undefined;
}
