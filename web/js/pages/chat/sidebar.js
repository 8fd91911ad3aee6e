// The column beside a conversation: a new-room link, a search over the caller's messages,
// and their rooms (latest activity first), each list paged with "load more".

import { h, errorBox } from '../../dom.js';
import { t, formatDateTime } from '../../i18n.js';
import { pager } from '../../pager.js';
import { showError, errorText, submitForm } from '../../ui.js';
import { assistantName, roomTitle } from './rooms.js';

function roomItem(room, list, activeId) {
  const active = room.id === activeId;
  return h('li', {},
    h('a', { class: ['room-link', active && 'is-active'], href: `/chat/${room.id}`, 'data-link': true, 'aria-current': active ? 'page' : null },
      h('span', { class: 'room-title', text: roomTitle(room.title) }),
      h('span', { class: 'room-meta', text: `${assistantName(list, room.assistant)} · ${formatDateTime(room.last_activity_at)}` }),
      room.preview ? h('span', { class: 'room-preview', text: room.preview }) : null));
}

function searchHit(hit) {
  return h('li', {}, h('a', { href: `/chat/${hit.room_id}`, 'data-link': true, class: 'search-hit' },
    h('span', { class: 'room-title', text: roomTitle(hit.room_title) }),
    h('span', { class: 'room-preview', text: hit.message.content.slice(0, 160) })));
}

/** The search form, its results and their "load more". */
function search() {
  const results = h('ul', { class: 'search-results', 'aria-live': 'polite' });
  const q = h('input', { type: 'search', id: 'chat-search', name: 'q', placeholder: t('chat.searchPlaceholder'), maxlength: 200 });
  const form = h('form', { class: 'search', role: 'search' },
    h('label', { for: 'chat-search', class: 'visually-hidden', text: t('chat.search') }), q,
    h('button', { type: 'submit', class: 'button button-small', text: t('chat.search') }));
  let text = '';
  const hits = pager({
    path: () => `/api/search?q=${encodeURIComponent(text)}&limit=20`,
    show: (items) => results.append(...items.map(searchHit)),
    empty: () => results.append(h('li', { class: 'muted', text: t('chat.noResults') })),
    onError: (error) => results.append(h('li', { class: 'form-error', text: errorText(error) })),
  });
  submitForm(form, {
    async send() {
      text = q.value.trim();
      hits.reset();
      results.replaceChildren();
      if (text) await hits.load();
    },
  });
  return [form, results, hits.button];
}

/** The caller's rooms, `activeId` marked as the current one. */
function roomList(activeId, list) {
  const ul = h('ul', { class: 'room-list', 'aria-label': t('chat.rooms') });
  const box = errorBox();
  const rooms = pager({
    path: '/api/rooms?limit=30',
    show: (items) => ul.append(...items.map((room) => roomItem(room, list, activeId))),
    empty: () => ul.append(h('li', { class: 'muted', text: t('chat.noRooms') })),
    onError: (error) => showError(error, { box }),
  });
  rooms.load();
  return [box, ul, rooms.button];
}

export function sidebar(activeId, list) {
  return h('aside', { class: 'chat-sidebar', 'aria-label': t('chat.rooms') },
    h('a', { class: 'button button-wide', href: '/chat', 'data-link': true, text: t('chat.newRoom') }),
    search(), roomList(activeId, list));
}
