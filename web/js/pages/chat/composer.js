// The message box: Enter sends (Shift+Enter for a new line), Stop asks the server to stop
// the answer being written, and the draft is kept per room (this tab's sessionStorage)
// until the server has it. With the day's chat quota used up, Send is disabled and says
// why and when it comes back; what was typed stays.

import * as quota from '../../quota.js';
import { h } from '../../dom.js';
import { t, formatTime, formatRelative } from '../../i18n.js';
import { loadDraft, saveDraft } from '../../drafts.js';
import { submitForm } from '../../ui.js';

/** The chat scope's quota when it is used up, else null. */
export function quotaOut() {
  const info = quota.scopeInfo('chat');
  return info && info.limit !== null && info.limit !== undefined && info.remaining <= 0 ? info : null;
}

/**
 * The composer. `draftKey` names the draft; `onSend(content, draft)` sends (resolving when
 * the answer has ended); `onStop()` stops the running answer. `draft.accepted()` clears the
 * box once the server has the message, `draft.giveBack(content)` restores it. Returns
 * `{el, input, focus, submit, setRunning, destroy}`.
 */
export function composer({ draftKey, box, onSend, onStop, placeholder, extra }) {
  const input = h('textarea', { id: 'message', name: 'content', rows: 2, maxlength: 10000, placeholder: placeholder || t('chat.placeholder'), 'aria-describedby': 'composer-quota' });
  input.value = loadDraft(draftKey);
  // A draft that could not be saved would be lost by leaving: only then warn (below).
  let saved = true;
  input.addEventListener('input', () => {
    saved = saveDraft(draftKey, input.value) !== false;
  });
  const send = h('button', { type: 'submit', class: 'button send-button', text: t('chat.send'), 'aria-describedby': 'composer-quota' });
  const stop = h('button', { type: 'button', class: 'button button-danger stop-button', hidden: true, text: t('chat.stop') });
  const note = h('p', { class: 'composer-quota', id: 'composer-quota', role: 'status', hidden: true });
  const form = h('form', { class: 'composer', novalidate: true },
    extra || null,
    h('label', { for: 'message', class: 'visually-hidden', text: t('chat.message') }), input,
    note,
    h('div', { class: 'composer-actions' }, h('span', { class: 'muted composer-hint', text: t('chat.enterHint') }), stop, send));
  let running = false;
  let resetTimer = null;

  function applyQuota() {
    const out = quotaOut();
    note.hidden = !out;
    if (!out) note.textContent = '';
    if (out) {
      note.textContent = t('chat.quotaOut', { limit: out.limit, when: formatTime(out.resets_at), relative: formatRelative(out.resets_at) });
      // Sending comes back by itself when the day turns.
      clearTimeout(resetTimer);
      const wait = new Date(out.resets_at).getTime() - Date.now() + 1500;
      if (wait > 0 && wait < 86_400_000) resetTimer = setTimeout(() => quota.reload(), wait);
    }
    if (!running) send.disabled = Boolean(out);
  }
  const onQuota = () => applyQuota();
  quota.events.addEventListener('change', onQuota);
  applyQuota();

  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  stop.addEventListener('click', () => {
    stop.disabled = true;
    onStop();
  });
  const draft = {
    accepted() {
      input.value = '';
      saveDraft(draftKey, '');
      saved = true;
    },
    giveBack(content) {
      if (input.value.trim()) return;
      input.value = content;
      saved = saveDraft(draftKey, content) !== false;
    },
  };
  const beforeUnload = (event) => {
    if (saved || !input.value.trim()) return;
    event.preventDefault();
    event.returnValue = '';
  };
  window.addEventListener('beforeunload', beforeUnload);

  submitForm(form, {
    box,
    button: send,
    ready: () => Boolean(input.value.trim()) && !running && !quotaOut(),
    async send() {
      await onSend(input.value.trim(), draft);
      input.focus();
      // `busy` gives Send its old state back after this returns: apply the quota after it.
      setTimeout(applyQuota, 0);
    },
  });

  return {
    el: form,
    input,
    focus: () => input.focus(),
    submit: () => form.requestSubmit(),
    /** While an answer is written, Stop replaces Send. */
    setRunning(next) {
      running = next;
      stop.hidden = !next;
      stop.disabled = false;
      send.hidden = next;
      if (!next) applyQuota();
    },
    destroy() {
      clearTimeout(resetTimer);
      quota.events.removeEventListener('change', onQuota);
      window.removeEventListener('beforeunload', beforeUnload);
    },
  };
}
