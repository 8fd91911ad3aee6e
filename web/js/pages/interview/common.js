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
