// The admin page (/admin): three tabs — users, usage, audit log — each its own module.
// The selected tab lives in the query (`?tab=usage`), so a reload keeps it. Members who
// are not admins see a short notice (the API would answer 403 anyway).

import * as api from '../../api.js';
import { h, mount } from '../../dom.js';
import { t } from '../../i18n.js';
import { pageHeader } from '../../ui.js';
import { ensureStyles } from './common.js';

const TABS = [
  { id: 'users', load: () => import('./users.js') },
  { id: 'usage', load: () => import('./usage.js') },
  { id: 'audit', load: () => import('./audit.js') },
];

export async function render(main, _params, query) {
  ensureStyles();
  const me = api.user();
  if (!me || me.role !== 'admin') {
    mount(main, pageHeader(t('admin.title')), h('p', { class: 'empty', role: 'status', text: t('admin.onlyAdmins') }));
    return undefined;
  }
  const wanted = query && query.get ? query.get('tab') : null;
  let current = TABS.some((tab) => tab.id === wanted) ? wanted : 'users';
  const panel = h('div', { class: 'admin-panel', role: 'tabpanel', id: 'admin-panel', tabindex: '-1' });
  const buttons = TABS.map((tab) => h('button', {
    type: 'button',
    role: 'tab',
    id: `admin-tab-${tab.id}`,
    'aria-controls': 'admin-panel',
    class: 'admin-tab',
    dataset: { tab: tab.id },
    text: t(`admin.tab.${tab.id}`),
  }));
  const tablist = h('div', { class: 'admin-tabs', role: 'tablist', 'aria-label': t('admin.tabs') }, buttons);
  let cleanup = null;
  let round = 0;

  async function show(id, { focusPanel = false } = {}) {
    current = id;
    const mine = ++round;
    for (const button of buttons) {
      const selected = button.dataset.tab === id;
      button.setAttribute('aria-selected', String(selected));
      button.tabIndex = selected ? 0 : -1;
    }
    panel.setAttribute('aria-labelledby', `admin-tab-${id}`);
    const url = new URL(window.location.href);
    if (id === 'users') url.searchParams.delete('tab');
    else url.searchParams.set('tab', id);
    window.history.replaceState(window.history.state, '', url.pathname + url.search);
    if (cleanup) cleanup();
    cleanup = null;
    panel.replaceChildren();
    const module = await TABS.find((tab) => tab.id === id).load();
    if (mine !== round) return;
    cleanup = (await module.render(panel, { me })) || null;
    if (focusPanel) panel.focus();
  }

  tablist.addEventListener('click', (event) => {
    const button = event.target.closest('[role=tab]');
    if (button && button.dataset.tab !== current) show(button.dataset.tab);
  });
  // Arrow keys move between tabs (the usual tablist pattern).
  tablist.addEventListener('keydown', (event) => {
    const index = buttons.findIndex((b) => b.dataset.tab === current);
    let next = null;
    if (event.key === 'ArrowRight') next = (index + 1) % buttons.length;
    else if (event.key === 'ArrowLeft') next = (index + buttons.length - 1) % buttons.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = buttons.length - 1;
    if (next === null) return;
    event.preventDefault();
    buttons[next].focus();
    show(buttons[next].dataset.tab);
  });

  mount(main, pageHeader(t('admin.title'), h('p', { class: 'muted', text: t('admin.lead') })), tablist, panel);
  await show(current);
  return () => {
    round += 1;
    if (cleanup) cleanup();
  };
}
