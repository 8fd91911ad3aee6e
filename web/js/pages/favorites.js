// Favourites ("나만 보기"): the questions you starred, only visible to you.

import * as api from '../api.js';
import { h, errorBox, busy } from '../dom.js';
import { t, pick, formatDateTime } from '../i18n.js';
import { pageHeader, showError, emptyState, flash } from '../ui.js';
import { catalog, difficultyBadge, label } from './interview.js';

export async function render(main) {
  main.append(pageHeader(t('favorites.title')), h('p', { class: 'lead', text: t('favorites.lead') }));
  const box = errorBox();
  const list = h('div', { class: 'stack' });
  const more = h('button', { type: 'button', class: 'button button-ghost button-small', hidden: true, text: t('common.loadMore') });
  const filter = h('select', { id: 'fav-field', 'aria-label': t('interview.field') });
  main.append(box, h('div', { class: 'toolbar' }, h('label', { for: 'fav-field', text: t('interview.field') }), filter), list, more);
  let cat = { fields: [] };
  try {
    cat = await catalog();
  } catch (error) {
    showError(error, { box });
  }
  filter.append(h('option', { value: '', text: t('favorites.all') }), cat.fields.map((f) => h('option', { value: f.id, text: pick(f.label) })));
  filter.addEventListener('change', () => {
    for (const card of list.querySelectorAll('[data-field]')) card.hidden = Boolean(filter.value) && card.dataset.field !== filter.value;
  });
  let cursor = null;
  let count = 0;
  async function load() {
    try {
      const page = await api.get(`/api/interview/favorites?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      for (const fav of page.items) list.append(card(fav));
      count += page.items.length;
      if (!count) list.append(emptyState(t('favorites.empty'), h('a', { class: 'button', href: '/interview', 'data-link': true, text: t('interview.start') })));
      cursor = page.next_cursor;
      more.hidden = !cursor;
    } catch (error) {
      showError(error, { box });
    }
  }
  function card(fav) {
    const remove = h('button', { type: 'button', class: 'star', text: `★ ${t('star.remove')}`, 'aria-label': `${t('star.remove')}: ${fav.question.slice(0, 80)}` });
    const el = h('article', { class: 'card favorite', dataset: { field: fav.field } },
      h('div', { class: 'question-meta' }, h('span', { class: 'badge', text: label(cat.fields, fav.field) }), difficultyBadge(fav.difficulty),
        h('span', { class: 'muted', text: formatDateTime(fav.created_at) })),
      h('h2', { class: 'question-text', text: fav.question }),
      h('p', { class: 'intent' }, h('strong', { text: `${t('interview.intent')}: ` }), fav.intent),
      h('details', {}, h('summary', { text: t('interview.modelAnswer') }), h('p', { class: 'model-answer', text: fav.model_answer })),
      remove);
    remove.addEventListener('click', () => busy(remove, async () => {
      try {
        await api.del(`/api/interview/favorites/${fav.id}`);
        el.remove();
        flash(t('favorites.removed'));
      } catch (error) {
        showError(error, { box });
      }
    }));
    return el;
  }
  more.addEventListener('click', () => busy(more, load));
  await load();
}
