// The reading archive (/tarot/readings) and one reopened reading (/tarot/readings/:id):
// newest first, "load more", delete with confirmation. Only the owner sees them.

import * as api from '../../api.js';
import { h, mount } from '../../dom.js';
import { t, formatDateTime } from '../../i18n.js';
import { pageHeader, emptyState, flash, showError, loadInto, confirmDialog } from '../../ui.js';
import { pager } from '../../pager.js';
import { navigate } from '../../router.js';
import { cardImage, readingView, subjectLabel, tarotTabs } from './common.js';

async function remove(id) {
  const ok = await confirmDialog({ title: t('tarot.archive.delete'), body: t('tarot.archive.deleteBody'), confirm: t('common.delete'), danger: true });
  if (!ok) return false;
  await api.del(`/api/tarot/readings/${encodeURIComponent(id)}`);
  flash(t('tarot.archive.deleted'));
  return true;
}

function item(reading, onDeleted) {
  const del = h('button', { type: 'button', class: 'button button-ghost button-small', text: t('tarot.archive.delete') });
  const row = h('li', { class: 'card tarot-archive-item', dataset: { id: reading.id } },
    h('a', { href: `/tarot/readings/${reading.id}`, class: 'tarot-archive-link' },
      h('span', { class: 'tarot-archive-cards', 'aria-hidden': 'true' },
        reading.cards.map((c) => cardImage(c.num, { reversed: c.reversed, alt: '', lang: reading.language, cls: 'tarot-face tarot-face-mini' }))),
      h('span', { class: 'tarot-archive-text' },
        h('strong', { text: `${subjectLabel(reading.subject)} · ${formatDateTime(reading.created_at)}` }),
        h('span', { class: 'muted tarot-archive-concern', text: reading.concern }))),
    del);
  del.addEventListener('click', async () => {
    try {
      if (await remove(reading.id)) {
        row.remove();
        onDeleted();
      }
    } catch (error) {
      showError(error);
    }
  });
  return row;
}

async function one(main, id) {
  const box = h('div', { class: 'stack' });
  main.append(pageHeader(t('tarot.archive.title')), h('p', {}, h('a', { href: '/tarot/readings', text: t('tarot.archive.back') })), box);
  const reading = await loadInto(box, api.get(`/api/tarot/readings/${encodeURIComponent(id)}`), (error) => {
    if (error.status !== 404) return false;
    mount(box, emptyState(t('tarot.archive.notFound')));
    return true;
  });
  if (!reading) return;
  const del = h('button', { type: 'button', class: 'button button-danger', text: t('tarot.archive.delete') });
  del.addEventListener('click', async () => {
    try {
      if (await remove(reading.id)) navigate('/tarot/readings');
    } catch (error) {
      showError(error);
    }
  });
  mount(box, readingView(reading), h('div', { class: 'actions' }, del));
}

export async function render(main, params) {
  if (params && params.id) {
    await one(main, params.id);
    return;
  }
  main.append(pageHeader(t('tarot.archive.title'), h('a', { href: '/tarot/reading', class: 'button', text: t('tarot.another') })),
    tarotTabs('/tarot/readings'),
    h('p', { class: 'lead', text: t('tarot.archive.lead') }));
  const list = h('ul', { class: 'stack tarot-archive' });
  const empty = () => mount(list, emptyState(t('tarot.archive.empty')));
  const onDeleted = () => {
    if (!list.querySelector('li')) empty();
  };
  const p = pager({
    path: '/api/tarot/readings?limit=20',
    show: (items) => list.append(...items.map((r) => item(r, onDeleted))),
    empty,
    onError: (error) => showError(error),
  });
  main.append(list, p.button);
  await p.load();
}
