// The column beside a conversation: a new-chat link, a search over the caller's messages
// (a labelled list of plain-text excerpts, the match highlighted, each opening the room at
// that message), and their rooms, latest activity first, grouped by day (today, yesterday,
// the last 7 days, older), each list paged with "load more".

import { h, errorBox } from '../../dom.js';
import { t, formatDateTime, formatTime, formatDate } from '../../i18n.js';
import { pager } from '../../pager.js';
import { showError, errorText, submitForm } from '../../ui.js';
import { assistantName, roomTitle } from './rooms.js';
import { plainText } from './markdown.js';

const DAY = 86_400_000;

/** `today`, `yesterday`, `week` (the 7 days before) or `older`, in the browser's time zone. */
export function dateGroup(value, now = new Date()) {
  const date = new Date(value);
  const startOfToday = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  const time = date.getTime();
  if (time >= startOfToday) return 'today';
  if (time >= startOfToday - DAY) return 'yesterday';
  if (time >= startOfToday - 7 * DAY) return 'week';
  return 'older';
}

/** When a room was last used: the time today, else the date. */
function when(value) {
  return dateGroup(value) === 'today' ? formatTime(value) : formatDate(value);
}

function roomItem(room, list, activeId) {
  const active = room.id === activeId;
  return h('li', {},
    h('a', { class: ['room-link', active && 'is-active'], href: `/chat/${room.id}`, 'data-link': true, 'aria-current': active ? 'page' : null },
      h('span', { class: 'room-title', text: roomTitle(room.title) }),
      h('span', { class: 'room-meta' }, assistantName(list, room.assistant), ' · ', h('time', { datetime: room.last_activity_at, text: when(room.last_activity_at) })),
      room.preview ? h('span', { class: 'room-preview', text: room.preview }) : null));
}

/** `text` with every case-insensitive occurrence of `query` in a <mark>. */
export function highlighted(text, query) {
  const out = [];
  const needle = query.toLocaleLowerCase();
  const hay = text.toLocaleLowerCase();
  let at = 0;
  // Lower-casing can change lengths in a few scripts; then show the text unmarked.
  if (!needle || hay.length !== text.length) return [text];
  for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, at)) {
    if (i > at) out.push(text.slice(at, i));
    out.push(h('mark', { text: text.slice(i, i + needle.length) }));
    at = i + needle.length;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

/** A plain-text excerpt of `content` around the first match of `query`. */
function excerptAround(content, query, max = 160) {
  const text = plainText(content);
  const i = text.toLocaleLowerCase().indexOf(query.toLocaleLowerCase());
  if (i < 0 || text.length <= max) return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
  const start = Math.max(0, i - Math.floor((max - query.length) / 2));
  const end = Math.min(text.length, start + max);
  return `${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? '…' : ''}`;
}

function searchHit(hit, query) {
  const excerpt = typeof hit.excerpt === 'string' ? hit.excerpt : excerptAround(hit.message.content, query);
  const role = hit.message.role === 'user' ? t('chat.you') : t('chat.assistant');
  return h('li', {}, h('a', { href: `/chat/${hit.room_id}?m=${encodeURIComponent(hit.message.id)}`, 'data-link': true, class: 'search-hit' },
    h('span', { class: 'room-title', text: roomTitle(hit.room_title) }),
    h('span', { class: 'room-meta', text: `${role} · ${formatDateTime(hit.message.created_at)}` }),
    h('span', { class: 'search-excerpt' }, highlighted(excerpt, query))));
}

/** The search form, its results and their "load more". */
function search() {
  const heading = h('h2', { class: 'sidebar-heading', id: 'search-results-h', hidden: true, text: t('chat.searchResults') });
  const results = h('ul', { class: 'search-results', 'aria-labelledby': 'search-results-h', hidden: true });
  const status = h('p', { class: 'visually-hidden', role: 'status' });
  const q = h('input', { type: 'search', id: 'chat-search', name: 'q', placeholder: t('chat.searchPlaceholder'), maxlength: 200 });
  const form = h('form', { class: 'search', role: 'search' },
    h('label', { for: 'chat-search', class: 'visually-hidden', text: t('chat.search') }), q,
    h('button', { type: 'submit', class: 'button button-small', text: t('chat.search') }));
  let text = '';
  let count = 0;
  const hits = pager({
    path: () => `/api/search?q=${encodeURIComponent(text)}&limit=20`,
    show: (items) => {
      count += items.length;
      results.append(...items.map((hit) => searchHit(hit, text)));
      status.textContent = t('chat.searchCount', { count });
    },
    empty: () => {
      results.append(h('li', { class: 'muted', text: t('chat.noResults') }));
      status.textContent = t('chat.noResults');
    },
    onError: (error) => results.append(h('li', { class: 'form-error', text: errorText(error) })),
  });
  submitForm(form, {
    async send() {
      text = q.value.trim();
      count = 0;
      hits.reset();
      results.replaceChildren();
      heading.hidden = !text;
      results.hidden = !text;
      if (text) await hits.load();
    },
  });
  return [form, status, heading, results, hits.button];
}

const GROUPS = ['today', 'yesterday', 'week', 'older'];

/** The caller's rooms by day, `activeId` marked as the current one. */
function roomList(activeId, list) {
  const wrap = h('nav', { class: 'room-groups', 'aria-label': t('chat.rooms') });
  const box = errorBox();
  const groups = new Map();
  const groupList = (name) => {
    if (!groups.has(name)) {
      const id = `rooms-${name}`;
      const ul = h('ul', { class: 'room-list', 'aria-labelledby': id });
      wrap.append(h('section', { class: 'room-group', dataset: { group: name } }, h('h2', { class: 'sidebar-heading', id, text: t(`chat.group.${name}`) }), ul));
      groups.set(name, ul);
    }
    return groups.get(name);
  };
  const rooms = pager({
    path: '/api/rooms?limit=30',
    show: (items) => {
      for (const room of items) groupList(GROUPS.includes(dateGroup(room.last_activity_at)) ? dateGroup(room.last_activity_at) : 'older').append(roomItem(room, list, activeId));
    },
    empty: () => wrap.append(h('p', { class: 'muted', text: t('chat.noRooms') })),
    onError: (error) => showError(error, { box }),
  });
  rooms.load();
  return [box, wrap, rooms.button];
}

export function sidebar(activeId, list) {
  return h('aside', { class: 'chat-sidebar', 'aria-label': t('chat.sidebar') },
    activeId ? h('a', { class: 'button button-wide', href: '/chat', 'data-link': true, text: t('chat.newRoom') }) : null,
    search(), roomList(activeId, list));
}
