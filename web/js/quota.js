// The daily quota: the header badge ("오늘 3/5 남음"), a per-page scope, and the message
// shown when a request is refused with 429.

import * as api from './api.js';
import { h } from './dom.js';
import { t, formatRelative, formatTime } from './i18n.js';

let view = null;
let scope = 'chat';
let pending = null;

export const events = new EventTarget();

/** The last quota view from `/api/me/quota`, or null. */
export function current() {
  return view;
}

/** The scope the badge shows (the current page's). */
export function setScope(next) {
  scope = next;
  renderBadge();
}

export function scopeInfo(name) {
  return view && view.scopes ? view.scopes.find((s) => s.scope === name) : null;
}

/** Reloads the quota (coalesced). */
export function reload() {
  if (!api.user()) {
    view = null;
    renderBadge();
    return Promise.resolve(null);
  }
  if (!pending) {
    pending = api.get('/api/me/quota')
      .then((v) => {
        view = v;
        renderBadge();
        events.dispatchEvent(new CustomEvent('change', { detail: v }));
        return v;
      })
      .catch(() => null)
      .finally(() => {
        pending = null;
      });
  }
  return pending;
}

/** Whether a scope's quota is used up (false while unknown or unlimited). */
export function exhausted(info) {
  return Boolean(info && info.limit !== null && info.limit !== undefined && info.remaining <= 0);
}

/** "3 of 5 left today" for a scope, or "unlimited". */
export function describe(info) {
  if (!info) return '';
  if (info.limit === null || info.limit === undefined) return t('quota.unlimited');
  return t('quota.left', { remaining: info.remaining, limit: info.limit });
}

export function renderBadge() {
  const badge = document.getElementById('quota-badge');
  if (!badge) return;
  const info = scopeInfo(scope);
  if (!api.user() || !info) {
    badge.hidden = true;
    return;
  }
  badge.hidden = false;
  badge.classList.toggle('is-empty', info.limit !== null && info.remaining <= 0);
  const unlimited = info.limit === null || info.limit === undefined;
  // Phones show the short form ("채팅 3/5"): the scope always stays in sight.
  badge.replaceChildren(
    h('span', { class: 'quota-scope', text: t(`scope.${scope}`) }),
    h('span', { class: 'quota-long', text: ` · ${describe(info)}` }),
    h('span', { class: 'quota-short', 'aria-hidden': 'true', text: ` ${unlimited ? describe(info) : `${info.remaining}/${info.limit}`}` }));
  badge.setAttribute('aria-label', `${t(`scope.${scope}`)} · ${describe(info)}`);
  badge.title = t('quota.resets', { when: formatTime(info.resets_at), relative: formatRelative(info.resets_at) });
}

/** A notice for a 429 `quota_exceeded` error: what ran out and when it comes back. */
export function exceededNotice(error) {
  const d = error.details || {};
  const resets = d.resets_at ? new Date(d.resets_at) : new Date(Date.now() + (error.retryAfter || 0) * 1000);
  return h('div', { class: 'notice notice-warn', role: 'alert' },
    h('strong', { text: t('quota.exceeded.title') }),
    h('p', { text: t('quota.exceeded.body', { scope: t(`scope.${d.scope || scope}`), limit: d.limit ?? '?', when: formatTime(resets), relative: formatRelative(resets) }) }));
}

api.events.addEventListener('quota', () => {
  reload();
});
api.events.addEventListener('auth', () => {
  reload();
});
