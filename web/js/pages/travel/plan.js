// One saved plan: its summary and cost, an overview map of Singapore drawn from the dataset,
// the day timeline (morning, afternoon and evening cards with the bundle's attractions, the
// moves between them and the reason), and the follow-up chat with the travel assistant.
// Printing gives the summary and every day (the print rules hide the rest).

import * as api from '../../api.js';
import * as quota from '../../quota.js';
import { h, mount, errorBox, trustedHtml } from '../../dom.js';
import { t } from '../../i18n.js';
import { navigate } from '../../router.js';
import { pageHeader, showError, flash, confirmDialog, loadInto, emptyState, submitForm } from '../../ui.js';
import { options, attractions, label, useStyles, money } from './common.js';
import { overview } from './map.js';

const SLOTS = ['morning', 'afternoon', 'evening'];

function attractionItem(a) {
  const tags = [a.indoor ? t('travel.indoor') : t('travel.outdoor'), a.cost === 'free' ? t('travel.free') : a.cost];
  if (a.night) tags.push(t('travel.night'));
  return h('li', { class: 'stop', dataset: { id: a.id } },
    h('strong', { class: 'stop-name', text: a.name }),
    h('span', { class: 'muted stop-tags', text: ` · ${t('travel.minutes', { n: a.visit_minutes })} · ${tags.join(' · ')}` }),
    h('p', { class: 'stop-desc', text: a.description }));
}

function slotCard(slot) {
  const title = h('h4', { class: 'slot-title', text: t(`travel.slot.${slot.slot}`) });
  if (!slot.attractions.length) {
    return h('article', { class: ['slot-card', `slot-${slot.slot}`, 'is-empty'] }, title,
      h('p', { class: 'slot-free', text: t('travel.freeTime') }), h('p', { class: 'muted', text: slot.note || '' }));
  }
  const items = [];
  slot.attractions.forEach((a, i) => {
    items.push(attractionItem(a));
    const leg = slot.legs[i];
    if (leg) items.push(h('li', { class: ['leg', `leg-${leg.mode}`], text: `↓ ${leg.note}` }));
  });
  return h('article', { class: ['slot-card', `slot-${slot.slot}`] },
    h('div', { class: 'slot-head' }, title,
      h('span', { class: 'muted', text: `${t('travel.minutes', { n: slot.minutes })} · ${t('travel.withinKm', { km: slot.max_distance_km.toFixed(1) })}` })),
    h('ol', { class: 'stops' }, items),
    h('p', { class: 'slot-reason', text: slot.reason }));
}

function timeline(plan) {
  return h('section', { class: 'timeline', 'aria-label': t('travel.title') },
    plan.days.map((day) => h('section', { class: 'day card', id: `day-${day.day}`, 'aria-labelledby': `day-${day.day}-h` },
      h('h3', { id: `day-${day.day}-h`, class: 'day-title' }, t('travel.day', { n: day.day }), h('span', { class: 'muted day-date', text: ` ${day.date}` })),
      h('div', { class: 'slots' }, day.slots.map(slotCard)))));
}

/** The overview with a chip per day (and one for the whole plan). */
function overviewSection(plan, all) {
  const holder = h('div', { class: 'map-holder' });
  const chips = [];
  const draw = (day) => {
    const days = day ? plan.days.filter((d) => d.day === day) : plan.days;
    const stops = [];
    for (const d of days) {
      for (const s of d.slots) {
        for (const a of s.attractions) stops.push({ lat: a.lat, lng: a.lng, name: `${t('travel.day', { n: d.day })} ${t(`travel.slot.${s.slot}`)}: ${a.name}`, slot: s.slot, n: stops.length + 1 });
      }
    }
    mount(holder, overview(all, stops, day ? t('travel.day', { n: day }) : t('travel.overviewAll')));
    for (const c of chips) c.setAttribute('aria-pressed', String(Number(c.dataset.day) === (day || 0)));
  };
  const chip = (day, text) => {
    const b = h('button', { type: 'button', class: 'toggle toggle-small', dataset: { day: String(day) }, text, 'aria-pressed': 'false' });
    b.addEventListener('click', () => draw(day));
    chips.push(b);
    return b;
  };
  const row = h('div', { class: 'toggle-row map-days' }, chip(0, t('travel.overviewAll')), plan.days.map((d) => chip(d.day, t('travel.day', { n: d.day }))));
  const legend = h('p', { class: 'map-legend muted' }, SLOTS.map((s) => h('span', { class: `legend-${s}`, text: t(`travel.slot.${s}`) })));
  draw(plan.days.length > 1 ? 1 : 0);
  return h('section', { class: 'card overview', 'aria-labelledby': 'overview-h' }, h('h2', { id: 'overview-h', text: t('travel.overview') }), row, holder, legend);
}

function message(m) {
  const body = h('div', { class: 'chat-text' });
  if (m.role === 'assistant' && m.html) trustedHtml(body, m.html);
  else body.textContent = m.content;
  return h('li', { class: ['travel-msg', `from-${m.role}`] }, body);
}

function chat(plan) {
  const section = h('section', { class: 'card travel-chat', 'aria-labelledby': 'chat-h' }, h('h2', { id: 'chat-h', text: t('travel.chat') }));
  if (!plan.room_id) {
    section.append(emptyState(t('travel.chatGone')));
    return section;
  }
  const log = h('ol', { class: 'travel-log', role: 'log', 'aria-live': 'polite' });
  const box = errorBox();
  const input = h('textarea', { id: 'travel-question', name: 'content', rows: 2, maxlength: 4000, placeholder: t('travel.chatHint'), 'aria-label': t('travel.chat') });
  const error = h('p', { class: 'field-error', id: 'travel-question-error', hidden: true });
  const form = h('form', { class: 'travel-ask', novalidate: true }, box, input, error,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button', text: t('travel.chatSend') }),
      h('a', { href: `/chat/${plan.room_id}`, 'data-link': true, class: 'muted', text: t('travel.openChat') })));
  const empty = h('p', { class: 'muted chat-empty', text: t('travel.chatEmpty') });
  section.append(log, empty, form);
  api.get(`/api/rooms/${plan.room_id}/messages?limit=50`).then((page) => {
    const items = page.items || [];
    if (items.length) empty.remove();
    log.append(...items.map(message));
  }).catch((e) => showError(e, { box }));
  submitForm(form, {
    box,
    ready: () => input.value.trim() !== '',
    async send() {
      quota.setScope('chat');
      const res = await api.post(`/api/rooms/${plan.room_id}/messages`, { content: input.value.trim() });
      empty.remove();
      log.append(message(res.user_message), message(res.assistant_message));
      input.value = '';
      quota.reload();
    },
  });
  return section;
}

export async function render(main, params) {
  useStyles();
  quota.setScope('travel');
  const loaded = await loadInto(main, Promise.all([api.get(`/api/travel/plans/${encodeURIComponent(params.id)}`), options(), attractions()]), (error) => {
    if (error.status !== 404) return false;
    main.append(pageHeader(t('travel.notFound')), h('p', {}, h('a', { href: '/travel', 'data-link': true, text: t('travel.back') })));
    return true;
  });
  if (!loaded) return;
  const [plan, opts, data] = loaded;
  const print = h('button', { type: 'button', class: 'button button-ghost button-small no-print', text: t('travel.print') });
  print.addEventListener('click', () => window.print());
  const del = h('button', { type: 'button', class: 'button button-ghost button-small danger-text no-print', text: t('travel.delete') });
  del.addEventListener('click', async () => {
    if (!(await confirmDialog({ title: t('travel.delete'), body: t('travel.deleteBody'), confirm: t('common.delete'), danger: true }))) return;
    try {
      await api.del(`/api/travel/plans/${plan.id}`);
      flash(t('travel.deleted'));
      navigate('/travel');
    } catch (error) {
      showError(error);
    }
  });
  const req = plan.request;
  const cost = plan.cost;
  const summary = h('section', { class: 'card plan-summary' },
    h('p', {}, `${req.departure_date} – ${req.arrival_date} · ${t('travel.nTravelers', { n: req.travelers })} · ${label(opts.gender_mixes, req.gender_mix)}`),
    h('p', {}, `${req.styles.map((s) => label(opts.styles, s)).join(', ')} · ${req.transports.map((s) => label(opts.transports, s)).join(', ')}`),
    h('p', { class: 'plan-cost' }, h('strong', { text: `${t('travel.cost')}: ` }),
      t('travel.costLine', { krw: money(cost.total_krw), sgd: money(cost.total_sgd), budget: money(cost.budget_krw) }), ' ',
      h('span', { class: ['badge', cost.within_budget ? 'ok' : 'warn'], text: cost.within_budget ? t('travel.withinBudget') : t('travel.overBudget') })),
    plan.notes.map((n) => h('p', { class: 'muted', text: n })),
    h('p', { class: 'muted', text: t(`travel.source.${plan.source}`) }));
  main.append(
    pageHeader(plan.title, h('div', { class: 'page-actions' }, print, del)),
    h('p', { class: 'no-print' }, h('a', { href: '/travel', 'data-link': true, text: t('travel.back') })),
    h('div', { class: 'plan-layout' }, summary, overviewSection(plan, data.items), timeline(plan), chat(plan)));
}
