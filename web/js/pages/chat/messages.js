// A room's messages: one article per message (the assistant's as the server's sanitised
// Markdown), newest at the bottom, with "show older messages" above.

import { h, trustedHtml } from '../../dom.js';
import { t, formatDateTime } from '../../i18n.js';
import { pager } from '../../pager.js';
import { showError } from '../../ui.js';
import { assistantName } from './rooms.js';

export function statusBadge(status) {
  if (status === 'incomplete') return h('span', { class: 'badge badge-warn', text: t('chat.incomplete') });
  if (status === 'failed') return h('span', { class: 'badge badge-error', text: t('chat.failed') });
  return null;
}

export function messageEl(msg) {
  const body = h('div', { class: 'message-body' });
  if (msg.role === 'assistant' && msg.html) trustedHtml(body, msg.html); // server-sanitised Markdown
  else if (msg.role === 'assistant' && msg.status === 'failed' && !msg.content) body.textContent = t('chat.noAnswer');
  else {
    body.classList.add('plain');
    body.textContent = msg.content;
  }
  return h('article', { class: ['message', `message-${msg.role}`, msg.status !== 'complete' && `is-${msg.status}`], dataset: { id: msg.id } },
    h('header', { class: 'message-head' },
      h('span', { class: 'message-role', text: msg.role === 'user' ? t('chat.you') : t('chat.assistant') }),
      h('time', { datetime: msg.created_at, text: formatDateTime(msg.created_at) }),
      statusBadge(msg.status)),
    body);
}

/**
 * The log of `room`. Returns `{log, older, reload}`: `older` is the button for earlier
 * pages (their errors go to `box`); `reload()` shows the latest page again, scrolled to the
 * bottom, and rejects when it cannot.
 */
export function messageLog(room, list, box) {
  const log = h('div', { class: 'messages', role: 'log', 'aria-live': 'polite', 'aria-label': t('chat.messages') });
  const pages = pager({
    path: `/api/rooms/${room.id}/messages?limit=50`,
    label: t('chat.older'),
    show(items, first) {
      if (first) {
        log.replaceChildren(...items.map(messageEl));
        log.scrollTop = log.scrollHeight;
        return;
      }
      // Earlier messages go on top without moving what the reader is looking at.
      const height = log.scrollHeight;
      log.prepend(...items.map(messageEl));
      log.scrollTop = log.scrollHeight - height;
    },
    empty: () => log.append(h('p', { class: 'muted empty-log', text: t('chat.startHint', { assistant: assistantName(list, room.assistant) }) })),
    onError: (error) => showError(error, { box }),
  });
  return { log, older: pages.button, reload: pages.reload };
}
