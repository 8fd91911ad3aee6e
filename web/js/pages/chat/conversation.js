// One room: its header, its messages and the composer, tied together (a stopped or cut-off
// answer reloads the server's copy; the first message gives the room its title).

import * as api from '../../api.js';
import { h, errorBox } from '../../dom.js';
import { t } from '../../i18n.js';
import { pageHeader, showError } from '../../ui.js';
import { roomHeader } from './room-header.js';
import { messageLog } from './messages.js';
import { composer } from './composer.js';

/** The room, or a node explaining why it cannot be shown. */
async function loadRoom(roomId) {
  try {
    return { room: await api.get(`/api/rooms/${encodeURIComponent(roomId)}`) };
  } catch (error) {
    if (error.status === 404) return { problem: h('div', { class: 'chat-main' }, pageHeader(t('chat.notFound')), h('p', { text: t('chat.notFoundBody') })) };
    const box = errorBox();
    showError(error, { box });
    return { problem: h('div', { class: 'chat-main' }, box) };
  }
}

/** `{el, focus, abort, busy}` for room `roomId`, or a Node when it cannot be shown. */
export async function conversation(roomId, list) {
  const { room, problem } = await loadRoom(roomId);
  if (problem) return problem;
  const box = errorBox();
  const header = roomHeader(room, list, box);
  const messages = messageLog(room, list, box);
  const input = composer(room, {
    log: messages.log,
    box,
    afterSend({ accepted, finished, interrupted, firstMessage }) {
      // The server stores what it had when it noticed the disconnect (the message too, if
      // it got that far before the stop); show its copy.
      if (interrupted || (accepted && !finished)) setTimeout(() => messages.reload().catch(() => {}), 700);
      if (accepted && firstMessage) header.refresh();
    },
  });
  const el = h('div', { class: 'chat-main' }, header.el, messages.older, messages.log, box, input.el);
  try {
    await messages.reload();
  } catch (error) {
    showError(error, { box });
  }
  return { el, focus: input.focus, abort: input.abort, busy: input.busy };
}
