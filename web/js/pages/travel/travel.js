// The travel planner's start page: the plan form (dates, travellers, party, styles and
// transports as toggles, budget in KRW) and the saved plans, which reopen or delete.

import * as api from '../../api.js';
import * as quota from '../../quota.js';
import { h, field, errorBox } from '../../dom.js';
import { t, pick, formatDateTime, formatTime, language } from '../../i18n.js';
import { navigate } from '../../router.js';
import { pager } from '../../pager.js';
import { pageHeader, showError, flash, confirmDialog, loadInto, emptyState, submitForm } from '../../ui.js';
import { options, label, useStyles, dayFromToday } from './common.js';

/** A group of toggle buttons (aria-pressed) named `name` for field errors. */
function toggles({ name, legend, items, chosen }) {
  const error = h('p', { class: 'field-error', id: `${name}-error`, hidden: true });
  const buttons = items.map((item) => {
    const b = h('button', { type: 'button', class: 'toggle', 'aria-pressed': String(chosen.includes(item.id)), dataset: { value: item.id }, text: pick(item.label) });
    b.addEventListener('click', () => b.setAttribute('aria-pressed', String(b.getAttribute('aria-pressed') !== 'true')));
    return b;
  });
  const set = h('fieldset', { class: 'field toggles', name, id: name, tabindex: '-1', 'aria-describedby': `${name}-error` },
    h('legend', { text: legend }), h('div', { class: 'toggle-row' }, buttons), error);
  return { wrap: set, values: () => buttons.filter((b) => b.getAttribute('aria-pressed') === 'true').map((b) => b.dataset.value) };
}

function planForm(opts) {
  const today = dayFromToday(0);
  const dep = field({ id: 'departure_date', label: t('travel.departure'), type: 'date', value: dayFromToday(14) });
  const arr = field({ id: 'arrival_date', label: t('travel.arrival'), type: 'date', value: dayFromToday(17), hint: t('travel.daysHint') });
  dep.input.min = today;
  arr.input.min = today;
  dep.input.addEventListener('change', () => {
    arr.input.min = dep.input.value || today;
    if (arr.input.value && dep.input.value && arr.input.value < dep.input.value) arr.input.value = dep.input.value;
  });
  const travelers = field({ id: 'travelers', label: t('travel.travelers'), type: 'number', value: '2' });
  travelers.input.min = String(opts.min_travelers);
  travelers.input.max = String(opts.max_travelers);
  const gender = field({ id: 'gender_mix', label: t('travel.genderMix'), value: 'unspecified', options: opts.gender_mixes.map((g) => ({ value: g.id, label: pick(g.label) })) });
  const budget = field({ id: 'budget_krw_per_person', label: t('travel.budget'), type: 'number', value: String(opts.default_budget_krw_per_person), hint: t('travel.budgetHint') });
  budget.input.min = '1';
  budget.input.step = '10000';
  const styles = toggles({ name: 'styles', legend: t('travel.styles'), items: opts.styles, chosen: ['city', 'food'] });
  const transports = toggles({ name: 'transports', legend: t('travel.transports'), items: opts.transports, chosen: ['public'] });
  const box = errorBox();
  const submit = h('button', { type: 'submit', class: 'button', text: t('travel.make'), 'aria-describedby': 'plan-quota' });
  const quotaLine = h('p', { class: 'muted', id: 'plan-quota' });
  const drawQuota = () => {
    const info = quota.scopeInfo('travel');
    const none = quota.exhausted(info);
    submit.disabled = none;
    quotaLine.classList.toggle('quota-none', none);
    if (none) quotaLine.textContent = t('travel.noneLeft', { when: formatTime(info.resets_at) });
    else quotaLine.textContent = info ? t('travel.costs', { left: quota.describe(info) }) : '';
  };
  drawQuota();
  quota.events.addEventListener('change', drawQuota);
  const form = h('form', { class: 'card form travel-form', novalidate: true, 'aria-labelledby': 'plan-h' },
    h('h2', { id: 'plan-h', text: t('travel.newPlan') }), box,
    h('div', { class: 'row-3' }, dep.wrap, arr.wrap, travelers.wrap),
    h('div', { class: 'row-3' }, gender.wrap, budget.wrap),
    styles.wrap, transports.wrap, quotaLine, submit);
  const number = (input) => (input.value.trim() === '' ? null : Number(input.value));
  submitForm(form, {
    box,
    async send() {
      const plan = await api.post('/api/travel/plans', {
        departure_date: dep.input.value,
        arrival_date: arr.input.value,
        travelers: number(travelers.input),
        gender_mix: gender.input.value,
        styles: styles.values(),
        transports: transports.values(),
        budget_krw_per_person: number(budget.input),
        language: language(),
      });
      quota.reload();
      navigate(`/travel/plans/${plan.id}`);
    },
  });
  return { form, cleanup: () => quota.events.removeEventListener('change', drawQuota) };
}

function planItem(opts, p) {
  const styles = p.styles.map((s) => label(opts.styles, s)).join(', ');
  const del = h('button', { type: 'button', class: 'button button-ghost button-small danger-text', text: t('common.delete'), 'aria-label': `${t('travel.delete')}: ${p.title}` });
  const li = h('li', { class: 'session-item plan-item' },
    h('a', { href: `/travel/plans/${p.id}`, 'data-link': true, class: 'session-link' },
      h('span', { class: 'session-title', text: p.title }),
      h('span', { class: 'muted', text: `${p.departure_date} – ${p.arrival_date} · ${t('travel.nTravelers', { n: p.travelers })} · ${styles}` }),
      h('span', { class: 'muted', text: formatDateTime(p.created_at) })),
    del);
  del.addEventListener('click', async () => {
    if (!(await confirmDialog({ title: t('travel.delete'), body: t('travel.deleteBody'), confirm: t('common.delete'), danger: true }))) return;
    try {
      await api.del(`/api/travel/plans/${p.id}`);
      li.remove();
      flash(t('travel.deleted'));
    } catch (error) {
      showError(error);
    }
  });
  return li;
}

function saved(opts) {
  const list = h('ul', { class: 'session-list plan-list' });
  const box = errorBox();
  const plans = pager({
    path: '/api/travel/plans?limit=20',
    show: (items) => list.append(...items.map((p) => planItem(opts, p))),
    empty: () => list.append(h('li', {}, emptyState(t('travel.noPlans')))),
    onError: (error) => showError(error, { box }),
  });
  plans.load();
  return h('section', { class: 'card', 'aria-labelledby': 'saved-h' }, h('h2', { id: 'saved-h', text: t('travel.saved') }), box, list, plans.button);
}

export async function render(main) {
  useStyles();
  quota.setScope('travel');
  main.append(pageHeader(t('travel.title')), h('p', { class: 'lead', text: t('travel.lead') }));
  const opts = await loadInto(main, options());
  if (!opts) return undefined;
  const start = planForm(opts);
  main.append(h('div', { class: 'stack' }, start.form, saved(opts)));
  return start.cleanup;
}
