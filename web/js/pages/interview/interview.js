// The mock interview's start page: choose a field, a career level and a number of
// questions; past sessions below can be reopened or deleted.

import * as api from '../../api.js';
import * as quota from '../../quota.js';
import { h, field, errorBox } from '../../dom.js';
import { t, pick, formatDateTime, formatNumber, formatTime, language } from '../../i18n.js';
import { navigate } from '../../router.js';
import { pager } from '../../pager.js';
import { pageHeader, showError, flash, confirmDialog, loadInto, emptyState, submitForm } from '../../ui.js';
import { catalog, label, countOptions, scoreClass } from './common.js';

function startForm(cat) {
  const fieldSel = field({ id: 'field', label: t('interview.field'), options: cat.fields.map((f) => ({ value: f.id, label: pick(f.label) })) });
  const careerSel = field({ id: 'career', label: t('interview.career'), options: cat.careers.map((c) => ({ value: c.id, label: pick(c.label) })) });
  const countSel = field({ id: 'count', label: t('interview.count'), value: String(cat.default_count), options: countOptions(cat.max_count) });
  const box = errorBox();
  const submit = h('button', { type: 'submit', class: 'button', text: t('interview.start'), 'aria-describedby': 'start-quota' });
  const quotaLine = h('p', { class: 'muted', id: 'start-quota' });
  // With nothing left today the button is disabled, and the line under it says why.
  const drawQuota = () => {
    const info = quota.scopeInfo('interview');
    const none = quota.exhausted(info);
    submit.disabled = none;
    quotaLine.classList.toggle('quota-none', none);
    if (none) quotaLine.textContent = t('interview.noneLeft', { when: formatTime(info.resets_at) });
    else quotaLine.textContent = info ? t('interview.costs', { left: quota.describe(info) }) : '';
  };
  drawQuota();
  quota.events.addEventListener('change', drawQuota);
  const form = h('form', { class: 'card form', novalidate: true, 'aria-labelledby': 'start-h' },
    h('h2', { id: 'start-h', text: t('interview.newSession') }), box,
    h('div', { class: 'row-3' }, fieldSel.wrap, careerSel.wrap, countSel.wrap), quotaLine, submit);
  submitForm(form, {
    box,
    async send() {
      const session = await api.post('/api/interview/sessions', {
        field: fieldSel.input.value,
        career: careerSel.input.value,
        count: Number(countSel.input.value),
        language: language(),
      });
      navigate(`/interview/sessions/${session.id}`);
    },
  });
  return { form, cleanup: () => quota.events.removeEventListener('change', drawQuota) };
}

function sessionItem(cat, s) {
  const done = s.status === 'finished';
  const name = `${label(cat.fields, s.field)} · ${label(cat.careers, s.career)} · ${formatDateTime(s.created_at)}`;
  const del = h('button', { type: 'button', class: 'button button-ghost button-small danger-text', text: t('common.delete'), 'aria-label': `${t('interview.deleteSession')}: ${name}` });
  // An unfinished session says so and offers to carry on where it stopped.
  const resume = done ? null : h('a', { href: `/interview/sessions/${s.id}`, 'data-link': true, class: 'button button-small resume', text: t('interview.resume'), 'aria-label': `${t('interview.resume')}: ${name}` });
  const li = h('li', { class: ['session-item', done ? null : 'is-open'] },
    h('a', { href: `/interview/sessions/${s.id}`, 'data-link': true, class: 'session-link' },
      h('span', { class: 'session-title' }, `${label(cat.fields, s.field)} · ${label(cat.careers, s.career)}`,
        done ? null : h('span', { class: 'badge in-progress', text: t('interview.inProgress') })),
      h('span', { class: 'muted', text: formatDateTime(s.created_at) }),
      h('span', { class: ['score-chip', scoreClass(s.score)], text: done ? t('interview.scoreOf', { score: formatNumber(s.score ?? 0, 1) }) : t('interview.progress', { answered: s.answered_count, total: s.question_count }) })),
    resume, del);
  del.addEventListener('click', async () => {
    if (!(await confirmDialog({ title: t('interview.deleteSession'), body: t('interview.deleteBody'), confirm: t('common.delete'), danger: true }))) return;
    try {
      await api.del(`/api/interview/sessions/${s.id}`);
      li.remove();
      flash(t('interview.deleted'));
    } catch (error) {
      showError(error);
    }
  });
  return li;
}

function history(cat) {
  const list = h('ul', { class: 'session-list' });
  const box = errorBox();
  const sessions = pager({
    path: '/api/interview/sessions?limit=20',
    show: (items) => list.append(...items.map((s) => sessionItem(cat, s))),
    empty: () => list.append(h('li', {}, emptyState(t('interview.noSessions')))),
    onError: (error) => showError(error, { box }),
  });
  sessions.load();
  return h('section', { class: 'card', 'aria-labelledby': 'history-h' }, h('h2', { id: 'history-h', text: t('interview.history') }), box, list, sessions.button);
}

export async function render(main) {
  quota.setScope('interview');
  main.append(pageHeader(t('interview.title')), h('p', { class: 'lead', text: t('interview.lead') }));
  const cat = await loadInto(main, catalog());
  if (!cat) return undefined;
  const start = startForm(cat);
  main.append(h('div', { class: 'stack' }, start.form,
    h('p', { class: 'links' },
      h('a', { href: '/interview/cheatsheet', 'data-link': true, text: t('cheatsheet.nav') }), ' · ',
      h('a', { href: '/interview/favorites', 'data-link': true, text: t('favorites.nav') })),
    history(cat)));
  return start.cleanup;
}
