// One exchange in a room: the user's message and the assistant's answer, streamed into the
// log as it arrives. Stopping (the signal) cancels the upstream call; what arrived is kept
// and marked incomplete, and the server's stored copy replaces it on the next reload.

import * as api from '../../api.js';
import { h, setError } from '../../dom.js';
import { t } from '../../i18n.js';
import { showError, errorText } from '../../ui.js';
import { messageEl, statusBadge } from './messages.js';

/** The pending user message and the answer being written, appended to `log`. */
function placeholders(log, content) {
  const empty = log.querySelector('.empty-log');
  if (empty) empty.remove();
  const user = messageEl({ id: '', role: 'user', content, status: 'complete', created_at: new Date().toISOString() });
  user.classList.add('is-pending');
  const body = h('div', { class: 'message-body plain streaming' });
  const head = h('header', { class: 'message-head' }, h('span', { class: 'message-role', text: t('chat.assistant') }), h('span', { class: 'typing', text: t('chat.thinking') }));
  const answer = h('article', { class: 'message message-assistant is-streaming', 'aria-busy': 'true' }, head, body);
  log.append(user, answer);
  log.scrollTop = log.scrollHeight;
  return { log, user, answer, head, body };
}

/** The answer stopped streaming: `incomplete` (some text arrived) or `failed`. */
function markEnded(view, status) {
  view.body.classList.remove('streaming');
  view.answer.classList.remove('is-streaming');
  view.answer.classList.add(`is-${status}`);
  view.head.replaceChildren(h('span', { class: 'message-role', text: t('chat.assistant') }), statusBadge(status));
}

/** The model failed mid-stream (the server's `error` event). */
function streamError(data, { view, state, box, draft, content }) {
  markEnded(view, state.text ? 'incomplete' : 'failed');
  if (state.text) {
    setError(box, t('chat.streamCut'));
    return;
  }
  // Nothing came back (and nothing was counted): give the text back to retry.
  draft.giveBack(content);
  view.body.textContent = t('chat.noAnswer');
  setError(box, errorText({ code: data.code, message: data.message, status: 502 }));
}

function onEvent(name, data, ctx) {
  const { view, state, draft } = ctx;
  if (name === 'user_message') {
    state.accepted = true;
    draft.accepted();
    view.user.replaceWith(messageEl(data));
  } else if (name === 'delta') {
    state.text += data.text || '';
    view.body.textContent = state.text;
    view.log.scrollTop = view.log.scrollHeight;
  } else if (name === 'done') {
    state.finished = true;
    view.answer.replaceWith(messageEl(data.message));
  } else if (name === 'error') {
    state.finished = true;
    streamError(data, ctx);
  } else if (name === 'json' && data && data.assistant_message) {
    // A server that answered without streaming.
    state.accepted = true;
    state.finished = true;
    draft.accepted();
    view.user.replaceWith(messageEl(data.user_message));
    view.answer.replaceWith(messageEl(data.assistant_message));
  }
}

/** The request failed or was stopped. */
function interrupted(error, { view, state, box }) {
  if (error.name === 'AbortError' || (state.accepted && error.status === 0)) {
    // Stopped, or the connection dropped mid-answer: keep what arrived; the server stores
    // it as incomplete and the reload that follows shows its copy.
    markEnded(view, 'incomplete');
    if (!state.text) view.body.textContent = t('chat.stoppedEmpty');
    if (error.name !== 'AbortError') setError(box, t('chat.cutOff'));
    if (state.accepted) return;
  } else {
    showError(error, { box });
  }
  view.user.remove();
  view.answer.remove();
}

/**
 * Sends `content` to room `roomId` and streams the answer into `log`. `draft.accepted()` is
 * called once the server has the message, `draft.giveBack(content)` when nothing came back.
 * Resolves (never rejects) to `{accepted, finished, interrupted, text}`.
 */
export async function exchange({ roomId, content, log, box, signal, draft }) {
  const view = placeholders(log, content);
  const state = { accepted: false, finished: false, interrupted: false, text: '' };
  const ctx = { view, state, box, draft, content };
  try {
    await api.stream(`/api/rooms/${roomId}/messages`, { content }, { signal, onEvent: (name, data) => onEvent(name, data, ctx) });
    if (!state.finished) {
      view.answer.classList.add('is-incomplete');
      setError(box, t('chat.cutOff'));
    }
  } catch (error) {
    interrupted(error, ctx);
    state.interrupted = true;
  } finally {
    view.answer.removeAttribute('aria-busy');
  }
  return state;
}
