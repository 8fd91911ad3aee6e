// The message box under a conversation: Enter sends (Shift+Enter for a new line), Stop
// cancels the answer being written, and the draft is kept per room until the server has it.

import * as quota from '../../quota.js';
import { h } from '../../dom.js';
import { t } from '../../i18n.js';
import { loadDraft, saveDraft } from '../../drafts.js';
import { submitForm } from '../../ui.js';
import { exchange } from './stream.js';

/**
 * The composer for `room`, streaming into `log`; `afterSend(result)` gets the exchange's
 * outcome plus `firstMessage`. Returns `{el, focus, abort, busy}`.
 */
export function composer(room, { log, box, afterSend }) {
  const draftKey = `room.${room.id}`;
  const input = h('textarea', { id: 'message', name: 'content', rows: 3, maxlength: 10000, placeholder: t('chat.placeholder') });
  input.value = loadDraft(draftKey);
  input.addEventListener('input', () => saveDraft(draftKey, input.value));
  const send = h('button', { type: 'submit', class: 'button', text: t('chat.send') });
  const stop = h('button', { type: 'button', class: 'button button-danger', hidden: true, text: t('chat.stop') });
  const form = h('form', { class: 'composer', novalidate: true },
    h('label', { for: 'message', class: 'visually-hidden', text: t('chat.message') }), input,
    h('div', { class: 'composer-actions' }, h('span', { class: 'muted composer-hint', text: t('chat.enterHint') }), stop, send));
  let controller = null;

  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  stop.addEventListener('click', () => {
    if (controller) controller.abort();
  });
  const draft = {
    accepted() {
      input.value = '';
      saveDraft(draftKey, '');
    },
    giveBack(content) {
      if (input.value.trim()) return;
      input.value = content;
      saveDraft(draftKey, content);
    },
  };

  submitForm(form, {
    box,
    button: send,
    ready: () => Boolean(input.value.trim()) && !controller,
    async send() {
      const content = input.value.trim();
      // The server names the room after its first message.
      const firstMessage = !log.querySelector('.message[data-id]:not([data-id=""])');
      controller = new AbortController();
      stop.hidden = false;
      let result;
      try {
        result = await exchange({ roomId: room.id, content, log, box, signal: controller.signal, draft });
      } finally {
        controller = null;
        stop.hidden = true;
      }
      // The response's RateLimit headers already updated the badge; an answer that never
      // produced text was refunded after them, so only then ask again.
      if (result.accepted && !result.text) quota.reload();
      input.focus();
      afterSend({ ...result, firstMessage });
    },
  });
  return { el: form, focus: () => input.focus(), abort: () => controller && controller.abort(), busy: () => Boolean(controller) };
}
