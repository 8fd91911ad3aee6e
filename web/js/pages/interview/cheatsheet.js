// The cheat sheet: expected questions for a field with intent, difficulty and model answer,
// each of which can be starred. It shares the `interview` daily quota with sessions.

import * as api from '../../api.js';
import * as quota from '../../quota.js';
import { h, mount, field, errorBox } from '../../dom.js';
import { t, pick, language, formatTime } from '../../i18n.js';
import { pageHeader, showError, submitForm } from '../../ui.js';
import { loadStars, starButton } from '../../stars.js';
import { catalog, countOptions, difficultyBadge, questionHeading, inlineCode, richText } from './common.js';

const LAST_KEY = 'confab.cheatsheet';

function itemCard(item, fieldId, n) {
  return h('article', { class: 'card cheat-item' },
    h('div', { class: 'question-meta' }, h('span', { class: 'progress-label', text: `Q${n}` }), difficultyBadge(item.difficulty)),
    questionHeading('h3', { class: 'question-text' }, item.question),
    h('p', { class: 'intent' }, h('strong', { text: `${t('interview.intent')}: ` }), inlineCode(item.intent)),
    h('details', { open: true },
      h('summary', { text: t('interview.modelAnswer') }),
      richText({ class: 'model-answer' }, item.model_answer),
      item.key_points && item.key_points.length ? h('ul', { class: 'key-points' }, item.key_points.map((k) => h('li', {}, inlineCode(k)))) : null),
    starButton(item, fieldId, 'cheatsheet'));
}

export async function render(main) {
  quota.setScope('interview');
  main.append(pageHeader(t('cheatsheet.title')), h('p', { class: 'lead', text: t('cheatsheet.lead') }));
  const box = errorBox();
  let cat;
  try {
    [cat] = await Promise.all([catalog(), loadStars()]);
  } catch (error) {
    main.append(box);
    showError(error, { box });
    return;
  }
  const fieldSel = field({ id: 'field', label: t('interview.field'), options: cat.fields.map((f) => ({ value: f.id, label: pick(f.label) })) });
  const countSel = field({ id: 'count', label: t('interview.count'), value: '2', options: countOptions(10) });
  const submit = h('button', { type: 'submit', class: 'button', text: t('cheatsheet.generate'), 'aria-describedby': 'sheet-quota' });
  const results = h('div', { class: 'stack cheat-results', 'aria-live': 'polite' });
  const costs = h('p', { class: 'muted', id: 'sheet-quota', text: t('cheatsheet.costs') });
  const form = h('form', { class: 'card form', novalidate: true },
    box, h('div', { class: 'row-3' }, fieldSel.wrap, countSel.wrap), costs, submit);
  // With nothing left today the button is disabled, and the line above it says why.
  const drawQuota = () => {
    const info = quota.scopeInfo('interview');
    const none = quota.exhausted(info);
    submit.disabled = none;
    costs.classList.toggle('quota-none', none);
    costs.textContent = none ? t('interview.noneLeft', { when: formatTime(info.resets_at) }) : t('cheatsheet.costs');
  };
  drawQuota();
  quota.events.addEventListener('change', drawQuota);
  const show = (sheet) => mount(results,
    h('h2', { text: t('cheatsheet.for', { field: pick((cat.fields.find((f) => f.id === sheet.field) || {}).label) || sheet.field }) }),
    sheet.items.map((item, i) => itemCard(item, sheet.field, i + 1)));
  submitForm(form, {
    box,
    async send() {
      const sheet = await api.post('/api/interview/cheatsheet', { field: fieldSel.input.value, count: Number(countSel.input.value), language: language() });
      // It cost a quota slot: keep it for this tab until a new one replaces it.
      try {
        sessionStorage.setItem(LAST_KEY, JSON.stringify(sheet));
      } catch {
        /* shown, just not kept */
      }
      show(sheet);
      const first = results.querySelector('h2');
      first.setAttribute('tabindex', '-1');
      first.focus();
    },
  });
  main.append(form, results);
  try {
    const last = JSON.parse(sessionStorage.getItem(LAST_KEY) || 'null');
    if (last && Array.isArray(last.items)) {
      fieldSel.input.value = last.field;
      show(last);
    }
  } catch {
    /* nothing kept */
  }
  return () => quota.events.removeEventListener('change', drawQuota);
}
