// One room: its header, its messages and the composer, tied together. Answers belong to
// the server: a send, a regenerate and a re-attach (the room's last answer still
// `streaming` after a reload or on coming back) all stream into the log the same way; Stop
// asks the server to stop; leaving the page only disconnects.

import * as api from '../../api.js';
import * as quota from '../../quota.js';
import { h, errorBox, setError } from '../../dom.js';
import { t } from '../../i18n.js';
import { pageHeader, showError, errorText } from '../../ui.js';
import { roomHeader } from './room-header.js';
import { messageLog } from './messages.js';
import { composer, quotaOut } from './composer.js';
import { answerView, readAnswer } from './stream.js';

/** Rooms made on `/chat` whose first message is sent as soon as they open. */
const sendOnOpen = new Set();

/** Marks `roomId` to send its saved draft when it opens (the room was made for it). */
export function sendWhenOpened(roomId) {
  sendOnOpen.add(roomId);
}

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

/** Asks twice: the second read is sure to come after the server settled the answer. */
function reloadQuota() {
  quota.reload().then(() => quota.reload());
}

/**
 * `{el, start, abort, focus}` for room `roomId`, or a Node when it cannot be shown. `target` is a
 * message id to open the room at (a search hit).
 */
export async function conversation(roomId, list, { target } = {}) {
  const { room, problem } = await loadRoom(roomId);
  if (problem) return problem;
  const box = errorBox();
  const header = roomHeader(room, list, box);
  const base = `/api/rooms/${room.id}/messages`;
  let running = null;
  let closed = false;

  const messages = messageLog(room, list, box, { regenerate: (id) => regenerate(id), canRegenerate: () => !quotaOut() });
  const onQuota = () => messages.refreshActions(Boolean(running));
  quota.events.addEventListener('change', onQuota);
  const input = composer({
    draftKey: `room.${room.id}`,
    box,
    onSend: (content, draft) => send(content, draft),
    onStop: () => stop(),
  });

  function begin() {
    const run = { id: null, controller: new AbortController(), stopRequested: false };
    running = run;
    input.setRunning(true);
    messages.refreshActions(true);
    return run;
  }

  function end(run) {
    if (running !== run) return;
    running = null;
    if (closed) return;
    input.setRunning(false);
    messages.refreshActions(false);
    // The answer is settled (or was refunded): show the server's count, not the one its
    // first response carried.
    reloadQuota();
    header.refresh();
  }

  async function postStop(run) {
    try {
      await api.post(`${base}/${run.id}/stop`);
    } catch (error) {
      if (error.status === 409) return; // it had already ended; its `done` is on its way
      // A server without the stop route: disconnect, then show what it stored.
      run.controller.abort();
      setTimeout(() => reloadLog(), 700);
    }
  }

  function stop() {
    const run = running;
    if (!run) return;
    run.stopRequested = true;
    // Before `answer_started` the id is not known yet: `started` stops it as soon as it is.
    if (run.id) postStop(run);
    else {
      // A server that never announces its answers stops when the client goes away.
      setTimeout(() => {
        if (running === run && !run.id) run.controller.abort();
      }, 1500);
    }
  }

  /** The handlers that draw one answer's events into `view`. */
  function handlers(run, view, { onError } = {}) {
    return {
      started(msg) {
        if (!msg || !msg.id) return;
        run.id = msg.id;
        view.answer.dataset.id = msg.id;
        // A re-attach replays the text so far in its first delta: start from nothing.
        view.set('');
        if (run.stopRequested) postStop(run);
      },
      delta(text) {
        view.set(view.text + text, messages.follow);
      },
      done(msg) {
        view.cancelFrame();
        view.answer.replaceWith(messages.render(msg));
        messages.follow();
      },
      error(data) {
        view.ended(view.text ? 'incomplete' : 'failed', t('chat.noAnswer'));
        setError(box, view.text ? t('chat.streamCut') : errorText({ code: data.code, message: data.message, status: 502 }));
        if (onError) onError(view.text);
        // The server stored it as incomplete or failed: show its copy.
        run.reloadAfter = true;
      },
    };
  }

  /** Shows the server's copy of the log; re-attaches when its last answer is still running. */
  async function reloadLog(targetId) {
    try {
      await messages.reload(targetId);
    } catch (error) {
      showError(error, { box });
      return;
    }
    messages.refreshActions(Boolean(running));
    resume();
  }

  function resume() {
    const last = messages.lastMessage();
    if (!closed && !running && last && last.role === 'assistant' && last.status === 'streaming') attach(last.id, last.el);
  }

  /** After the stream: the stored copy when the stream said so or ended early. */
  async function settle(run, state) {
    if (closed) return;
    if (!state.finished) setError(box, t('chat.cutOff'));
    if (run.reloadAfter || !state.finished) {
      end(run);
      await reloadLog();
    }
  }

  async function send(content, draft) {
    const pending = messages.render({ id: '', role: 'user', content, status: 'complete', created_at: new Date().toISOString() });
    pending.classList.add('is-pending');
    const empty = messages.log.querySelector('.empty-log');
    if (empty) empty.remove();
    messages.log.append(pending);
    const view = answerView(messages.log);
    messages.scrollToBottom();
    const run = begin();
    let accepted = false;
    const accept = () => {
      accepted = true;
      draft.accepted();
    };
    try {
      const state = await readAnswer(base, {
        body: { content },
        signal: run.controller.signal,
        on: {
          ...handlers(run, view, { onError: (text) => !text && draft.giveBack(content) }),
          userMessage(msg) {
            accept();
            pending.replaceWith(messages.render(msg));
          },
          json(data) {
            // A server that answered without streaming.
            accept();
            if (data.user_message) pending.replaceWith(messages.render(data.user_message));
            if (data.assistant_message) view.answer.replaceWith(messages.render(data.assistant_message));
          },
        },
      });
      if (!accepted && state.finished) accept();
      await settle(run, state);
    } catch (error) {
      if (error.name === 'AbortError' && closed) return; // left the room: the answer goes on
      if (!accepted && error.status !== 0 && error.name !== 'AbortError') {
        // Refused (quota, validation): nothing was stored; the text stays in the box.
        pending.remove();
        view.answer.remove();
        showError(error, { box });
      } else {
        // The connection dropped (or a stop disconnected): the server may have the message
        // and be answering it, or be storing what it had; show its copy.
        if (error.name !== 'AbortError') setError(box, t('chat.cutOff'));
        else await new Promise((resolve) => setTimeout(resolve, 700));
        end(run);
        await reloadLog();
      }
    } finally {
      end(run);
    }
  }

  async function regenerate(id) {
    const old = messages.findMessage(id);
    if (running || !old || quotaOut()) return;
    setError(box, '');
    const view = answerView(messages.log, old, { keepId: false });
    const run = begin();
    try {
      const state = await readAnswer(`${base}/${id}/regenerate`, {
        body: {},
        signal: run.controller.signal,
        on: {
          ...handlers(run, view),
          json(data) {
            if (data.assistant_message) view.answer.replaceWith(messages.render(data.assistant_message));
          },
        },
      });
      await settle(run, state);
    } catch (error) {
      if (error.name === 'AbortError' && closed) return;
      if (!run.id && error.status !== 0 && error.name !== 'AbortError') {
        // Refused (quota, not the last answer): the old answer stays.
        view.answer.replaceWith(old);
        showError(error, { box });
      } else {
        end(run);
        await reloadLog();
      }
    } finally {
      end(run);
    }
  }

  async function attach(id, el) {
    const view = answerView(messages.log, el, { keepId: true });
    const run = begin();
    run.id = id;
    try {
      const state = await readAnswer(`${base}/${id}/events`, { method: 'GET', signal: run.controller.signal, on: handlers(run, view) });
      await settle(run, state);
    } catch (error) {
      if (error.name === 'AbortError' && closed) return;
      if (error.status !== 0) showError(error, { box });
      else setError(box, t('chat.cutOff'));
      view.ended('incomplete');
    } finally {
      end(run);
    }
  }

  const el = h('div', { class: 'chat-main chat-room' }, header.el, messages.older, messages.el, box, input.el);
  return {
    el,
    focus: input.focus,
    /** Once on screen: the messages (at the newest, or at `target`), then a pending send. */
    async start() {
      await reloadLog(target);
      if (!closed && sendOnOpen.delete(room.id)) input.submit();
    },
    abort() {
      // Leaving: disconnect only; the server finishes and stores the answer.
      closed = true;
      input.destroy();
      quota.events.removeEventListener('change', onQuota);
      if (running) running.controller.abort();
    },
  };
}
