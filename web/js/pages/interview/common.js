// What the interview pages share: the catalog of fields and career levels, labels,
// difficulty badges, question-count options and score colours.

import * as api from '../../api.js';
import { h } from '../../dom.js';
import { t, pick } from '../../i18n.js';

let catalogCache = null;

export async function catalog() {
  if (!catalogCache) catalogCache = await api.get('/api/interview/catalog', { auth: false });
  return catalogCache;
}

export function label(list, id) {
  const item = (list || []).find((x) => x.id === id);
  return item ? pick(item.label) : id;
}

export function difficultyBadge(difficulty) {
  return h('span', { class: `badge difficulty difficulty-${difficulty}`, text: t(`difficulty.${difficulty}`) });
}

/** "1 question" … "max questions" for a count <select>. */
export function countOptions(max) {
  const options = [];
  for (let n = 1; n <= max; n += 1) options.push({ value: String(n), label: t('interview.nQuestions', { n }) });
  return options;
}

export function scoreClass(score) {
  if (score === null || score === undefined) return 'score-none';
  if (score >= 8) return 'score-high';
  if (score >= 5) return 'score-mid';
  return 'score-low';
}

// Code in interview texts: `inline code` and ```fenced blocks```, drawn as <code> and
// <pre><code>. Everything goes in as text nodes (never as HTML), so a question can show
// code without any of it being interpreted.

const FENCE = /```[^\n`]*\n?([\s\S]*?)```/g;
const INLINE = /`([^`\n]+)`/g;

/** Text with `inline code` as <code> elements: an array of strings and nodes. */
export function inlineCode(text) {
  const s = String(text ?? '');
  const out = [];
  let last = 0;
  for (const m of s.matchAll(INLINE)) {
    if (m.index > last) out.push(s.slice(last, m.index));
    out.push(h('code', { text: m[1] }));
    last = m.index + m[0].length;
  }
  if (last < s.length) out.push(s.slice(last));
  return out;
}

/** Splits text into prose and fenced code: [{code: false, text}, {code: true, text}]. */
function segments(text) {
  const out = [];
  const s = String(text || '');
  let last = 0;
  for (const m of s.matchAll(FENCE)) {
    if (m.index > last) out.push({ code: false, text: s.slice(last, m.index) });
    out.push({ code: true, text: m[1].replace(/\n$/, '') });
    last = m.index + m[0].length;
  }
  if (last < s.length) out.push({ code: false, text: s.slice(last) });
  return out;
}

/** A code block. */
function codeBlock(text) {
  return h('pre', { class: 'code-block' }, h('code', { text }));
}

/**
 * A heading for a question: its prose (with inline code) in `tag`, its fenced code blocks
 * after it. Returns an array of elements; `props` go to the heading.
 */
export function questionHeading(tag, props, text) {
  const parts = segments(text);
  const prose = parts.filter((p) => !p.code).map((p) => p.text.trim()).filter(Boolean).join(' ');
  return [h(tag, props, inlineCode(prose)), parts.filter((p) => p.code).map((p) => codeBlock(p.text))];
}

/** A block of text (model answer, intent): paragraphs with inline code, and code blocks. */
export function richText(props, text) {
  return h('div', props, segments(text).map((p) => (p.code
    ? codeBlock(p.text)
    : p.text.split(/\n{2,}/).map((para) => para.trim()).filter(Boolean).map((para) => h('p', {}, inlineCode(para))))));
}

/**
 * Feedback or advice text as bullets: lines starting with "- " become list items, other
 * lines paragraphs. `items`, when given (the API's list), wins over splitting the text.
 */
export function bulletText(props, text, items) {
  const list = Array.isArray(items) && items.length ? items : null;
  if (list) return h('ul', props, list.map((i) => h('li', {}, inlineCode(i))));
  const nodes = [];
  let ul = null;
  for (const line of String(text || '').split('\n')) {
    const bullet = /^\s*[-•*]\s+(.*)$/.exec(line);
    if (bullet) {
      if (!ul) {
        ul = h('ul', {});
        nodes.push(ul);
      }
      ul.append(h('li', {}, inlineCode(bullet[1])));
    } else if (line.trim()) {
      ul = null;
      nodes.push(h('p', {}, inlineCode(line.trim())));
    }
  }
  return h('div', props, nodes);
}
