// An answer as it is written. The answer belongs to the server: sending, regenerating and
// re-attaching (after a reload, or coming back to the room) all read the same server-sent
// events — `answer_started {message}`, `delta {text}`…, then `done {message}` or `error` —
// and draw them the same way. Leaving the page only disconnects; the explicit Stop asks the
// server to cancel (`POST …/stop`), and the stream then ends with the stored answer.

import * as api from '../../api.js';
import { h } from '../../dom.js';
import { t } from '../../i18n.js';
import { renderStreaming } from './markdown.js';

/**
 * The article an answer streams into: it replaces `existing` when given (keeping its id with
 * `keepId`, for a re-attach), else it is appended to `log`.
 */
export function answerView(log, existing, { keepId = false } = {}) {
  const body = h('div', { class: 'message-body streaming' });
  const head = h('header', { class: 'message-head' },
    h('span', { class: 'message-role', text: t('chat.assistant') }),
    h('span', { class: 'typing', text: t('chat.thinking') }));
  const answer = h('article', { class: 'message message-assistant is-streaming', 'aria-busy': 'true', dataset: { status: 'streaming' } }, head, body);
  if (existing) {
    if (keepId && existing.dataset.id) answer.dataset.id = existing.dataset.id;
    existing.replaceWith(answer);
  } else {
    const empty = log.querySelector('.empty-log');
    if (empty) empty.remove();
    log.append(answer);
  }
  let text = '';
  let frame = 0;
  let timer = 0;
  let drawnAt = 0;
  const draw = () => {
    frame = 0;
    drawnAt = performance.now();
    if (answer.isConnected) renderStreaming(body, text);
  };
  return {
    answer,
    get text() {
      return text;
    },
    /**
     * The text so far, drawn at the next frame and at most every 80 ms: a burst of deltas
     * renders (and highlights) once.
     */
    set(next, after) {
      text = next;
      if (frame || timer) return;
      const wait = Math.max(0, 80 - (performance.now() - drawnAt));
      timer = setTimeout(() => {
        timer = 0;
        frame = requestAnimationFrame(() => {
          draw();
          if (after) after();
        });
      }, wait);
    },
    /** The answer ended without its stored copy (an error): mark it and stop the cursor. */
    ended(status, note) {
      this.cancelFrame();
      draw();
      body.classList.remove('streaming');
      answer.classList.remove('is-streaming');
      answer.classList.add(`is-${status}`);
      answer.removeAttribute('aria-busy');
      answer.dataset.status = status;
      const badge = h('span', { class: `badge ${status === 'failed' ? 'badge-error' : 'badge-warn'}`, text: t(status === 'failed' ? 'chat.failed' : 'chat.incomplete') });
      head.replaceChildren(h('span', { class: 'message-role', text: t('chat.assistant') }), badge);
      if (note && !text) body.textContent = note;
    },
    cancelFrame() {
      if (frame) cancelAnimationFrame(frame);
      clearTimeout(timer);
      frame = 0;
      timer = 0;
    },
  };
}

/**
 * Reads one answer's events from `path` (`method` POST with `body` for a send or a
 * regenerate; GET to re-attach). `on` gets `{userMessage(msg), started(msg), delta(text),
 * done(msg), error(data), json(data)}`. Resolves to `{finished}` when the stream ends;
 * rejects with ApiError before it starts (quota, validation) or when the connection drops,
 * and with an AbortError when `signal` aborts.
 */
export async function readAnswer(path, { method = 'POST', body, signal, on }) {
  const state = { finished: false };
  await api.stream(path, body, {
    method,
    signal,
    onEvent(name, data) {
      if (name === 'user_message') on.userMessage && on.userMessage(data);
      else if (name === 'answer_started') on.started && on.started((data && data.message) || data);
      else if (name === 'delta') on.delta && on.delta((data && data.text) || '');
      else if (name === 'done') {
        state.finished = true;
        on.done && on.done((data && data.message) || data);
      } else if (name === 'error') {
        state.finished = true;
        on.error && on.error(data || {});
      } else if (name === 'json') {
        state.finished = true;
        on.json && on.json(data || {});
      }
    },
  });
  return state;
}
