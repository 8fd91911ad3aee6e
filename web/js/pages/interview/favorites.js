// Favourites ("나만 보기"): the questions you starred, only visible to you.

import * as api from '../../api.js';
import { h, append, errorBox, busy } from '../../dom.js';
import { t, pick, formatDateTime } from '../../i18n.js';
import { pager } from '../../pager.js';
import { pageHeader, showError, emptyState, flash } from '../../ui.js';
import { catalog, difficultyBadge, label, questionHeading, inlineCode, richText } from './common.js';

function card(fav, cat, box, onRemoved) {
  const remove = h('button', { type: 'button', class: 'star', text: `★ ${t('star.remove')}`, 'aria-label': `${t('star.remove')}: ${fav.question.slice(0, 80)}` });
  const el = h('article', { class: 'card favorite', dataset: { field: fav.field } },
    h('div', { class: 'question-meta' }, h('span', { class: 'badge', text: label(cat.fields, fav.field) }), difficultyBadge(fav.difficulty),
      h('span', { class: 'muted', text: formatDateTime(fav.created_at) })),
    questionHeading('h2', { class: 'question-text' }, fav.question),
    h('p', { class: 'intent' }, h('strong', { text: `${t('interview.intent')}: ` }), inlineCode(fav.intent)),
    h('details', {}, h('summary', { text: t('interview.modelAnswer') }), richText({ class: 'model-answer' }, fav.model_answer)),
    remove);
  remove.addEventListener('click', () => busy(remove, async () => {
    try {
      await api.del(`/api/interview/favorites/${fav.id}`);
      el.remove();
      flash(t('favorites.removed'));
      onRemoved();
    } catch (error) {
      showError(error, { box });
    }
  }));
  return el;
}

export async function render(main) {
  main.append(pageHeader(t('favorites.title')), h('p', { class: 'lead', text: t('favorites.lead') }));
  const box = errorBox();
  const list = h('div', { class: 'stack' });
  const filter = h('select', { id: 'fav-field', 'aria-label': t('interview.field') });
  let cat = { fields: [] };
  const showEmpty = () => list.append(emptyState(t('favorites.empty'), h('a', { class: 'button', href: '/interview', 'data-link': true, text: t('interview.start') })));
  let favorites = null;
  // The last one removed (and no more pages to load): the list says it is empty.
  const onRemoved = () => {
    if (!list.querySelector('.favorite') && favorites.button.hidden) showEmpty();
  };
  favorites = pager({
    path: '/api/interview/favorites?limit=50',
    show: (items) => list.append(...items.map((fav) => card(fav, cat, box, onRemoved))),
    empty: showEmpty,
    onError: (error) => showError(error, { box }),
  });
  main.append(box, h('div', { class: 'toolbar' }, h('label', { for: 'fav-field', text: t('interview.field') }), filter), list, favorites.button);
  try {
    cat = await catalog();
  } catch (error) {
    showError(error, { box });
  }
  // dom.append flattens the list (Element.append would print an array as one string).
  append(filter, [h('option', { value: '', text: t('favorites.all') }), cat.fields.map((f) => h('option', { value: f.id, text: pick(f.label) }))]);
  filter.addEventListener('change', () => {
    for (const el of list.querySelectorAll('[data-field]')) el.hidden = Boolean(filter.value) && el.dataset.field !== filter.value;
  });
  await favorites.load();
}
