// A room's messages: one article per message (the assistant's as the server's sanitised
// Markdown, code highlighted, with copy and — on the last answer — regenerate), newest at
// the bottom, "show older messages" above, and "jump to latest" when scrolled up. The log
// is focusable so it scrolls by keyboard.

import { h, trustedHtml } from '../../dom.js';
import { t, formatDateTime } from '../../i18n.js';
import { pager } from '../../pager.js';
import { showError } from '../../ui.js';
import { assistantName } from './rooms.js';
import { enhanceCode, codeLanguages, copyButton } from './markdown.js';
import { addNameChips } from '../naming/naming.js';

/** How close to the bottom (px) still counts as "reading the latest". */
const NEAR_BOTTOM = 80;

export function statusBadge(status) {
  if (status === 'incomplete') return h('span', { class: 'badge badge-warn', text: t('chat.incomplete') });
  if (status === 'failed') return h('span', { class: 'badge badge-error', text: t('chat.failed') });
  return null;
}

/** The copy and regenerate buttons under an answer. */
function answerActions(msg, hooks) {
  const actions = h('div', { class: 'message-actions' });
  if (msg.content) actions.append(copyButton(t('chat.copy'), () => msg.content, 'copy-answer'));
  if (hooks && hooks.regenerate) {
    const again = h('button', { type: 'button', class: 'button button-ghost button-small regenerate', hidden: true, text: t('chat.regenerate') });
    again.addEventListener('click', () => hooks.regenerate(msg.id));
    actions.append(again);
  }
  return actions.childElementCount ? actions : null;
}

/** The article for a stored message. `hooks.regenerate(id)` wires the regenerate button. */
export function messageEl(msg, hooks) {
  const body = h('div', { class: 'message-body' });
  if (msg.role === 'assistant' && msg.html) {
    trustedHtml(body, msg.html); // server-sanitised Markdown
    enhanceCode(body, codeLanguages(msg.content));
  } else if (msg.role === 'assistant' && msg.status === 'failed' && !msg.content) body.textContent = t('chat.noAnswer');
  else {
    body.classList.add('plain');
    body.textContent = msg.content;
  }
  return h('article', { class: ['message', `message-${msg.role}`, msg.status !== 'complete' && `is-${msg.status}`], dataset: { id: msg.id, status: msg.status } },
    h('header', { class: 'message-head' },
      h('span', { class: 'message-role', text: msg.role === 'user' ? t('chat.you') : t('chat.assistant') }),
      h('time', { datetime: msg.created_at, text: formatDateTime(msg.created_at) }),
      statusBadge(msg.status)),
    body,
    msg.role === 'assistant' && msg.status !== 'streaming' ? answerActions(msg, hooks) : null);
}

/**
 * The log of `room`. Returns `{el, log, older, reload, atBottom, scrollToBottom, follow,
 * lastMessage, refreshActions}`: `el` holds the log and its "jump to latest" button,
 * `older` is the button for earlier pages (their errors go to `box`), `reload(targetId)`
 * shows the latest page again (older ones too until `targetId` is on screen) and rejects
 * when it cannot; `follow()` keeps the newest text in view if the reader was there.
 */
export function messageLog(room, list, box, hooks) {
  const log = h('div', { class: 'messages', role: 'log', tabindex: '0', 'aria-label': t('chat.messages') });
  const jump = h('button', { type: 'button', class: 'button button-small jump-latest', hidden: true, text: t('chat.jumpLatest') });
  const el = h('div', { class: 'messages-wrap' }, log, jump);
  let stick = true;

  const atBottom = () => log.scrollHeight - log.scrollTop - log.clientHeight <= NEAR_BOTTOM;
  function scrollToBottom() {
    log.scrollTop = log.scrollHeight;
    stick = true;
    jump.hidden = true;
  }
  log.addEventListener('scroll', () => {
    stick = atBottom();
    jump.hidden = stick;
  });
  jump.addEventListener('click', () => {
    scrollToBottom();
    log.focus({ preventScroll: true });
  });

  // Content that grows after it is drawn (highlighting, a late font) keeps the newest
  // message in view when the reader was there.
  const grown = new ResizeObserver(() => {
    if (stick) log.scrollTop = log.scrollHeight;
  });
  const render = (msg) => {
    const el = messageEl(msg, hooks);
    if (room.assistant === 'naming' && msg.role === 'assistant' && msg.status === 'complete') addNameChips(el);
    grown.observe(el);
    return el;
  };
  const pages = pager({
    path: `/api/rooms/${room.id}/messages?limit=50`,
    label: t('chat.older'),
    show(items, first) {
      if (first) {
        log.replaceChildren(...items.map(render));
        scrollToBottom();
        return;
      }
      // Earlier messages go on top without moving what the reader is looking at.
      const height = log.scrollHeight;
      log.prepend(...items.map(render));
      log.scrollTop = log.scrollHeight - height;
    },
    empty: () => log.append(h('p', { class: 'muted empty-log', text: t('chat.startHint', { assistant: assistantName(list, room.assistant) }) })),
    onError: (error) => showError(error, { box }),
  });

  /**
   * Shows regenerate on the last answer only, and only while nothing is being written and
   * the day's quota allows it (`hooks.canRegenerate()`).
   */
  function refreshActions(running) {
    const buttons = [...log.querySelectorAll('.message-assistant .regenerate')];
    const last = log.querySelector('.message:last-of-type');
    const allowed = !running && (!hooks || !hooks.canRegenerate || hooks.canRegenerate());
    for (const b of buttons) b.hidden = !allowed || b.closest('.message') !== last;
  }

  async function reload(targetId) {
    await pages.reload();
    // A search hit may be on an older page: fetch pages until it is there (bounded).
    for (let i = 0; targetId && i < 20 && !findMessage(targetId) && !pages.button.hidden; i += 1) await pages.load();
    const target = targetId && findMessage(targetId);
    if (target) {
      target.classList.add('is-target');
      target.scrollIntoView({ block: 'center' });
      stick = atBottom();
      jump.hidden = stick;
    } else scrollToBottom();
  }

  function findMessage(id) {
    return log.querySelector(`.message[data-id="${CSS.escape(id)}"]`);
  }

  /** The newest message's id and status, from the articles on screen. */
  function lastMessage() {
    const last = [...log.querySelectorAll('.message[data-id]')].pop();
    return last ? { id: last.dataset.id, status: last.dataset.status, role: last.classList.contains('message-assistant') ? 'assistant' : 'user', el: last } : null;
  }

  return {
    el,
    log,
    older: pages.button,
    reload,
    atBottom,
    scrollToBottom,
    follow() {
      if (stick) log.scrollTop = log.scrollHeight;
      else jump.hidden = false;
    },
    findMessage,
    lastMessage,
    refreshActions,
    render,
  };
}
