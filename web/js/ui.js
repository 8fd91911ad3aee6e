// Shared UI pieces: the flash line, turning API errors into words, the one way forms are
// submitted, page headers, empty states and confirmation.

import { h, showFieldErrors, clearFieldErrors, setError, busy } from './dom.js';
import { t, has, fieldProblems } from './i18n.js';
import { exceededNotice } from './quota.js';

let flashTimer = null;
let flashFresh = false;

/**
 * A short message under the header (role=status). It lasts until the next page: a flash
 * set just before navigating (a "deleted" or "welcome") shows on the page it leads to,
 * and any other navigation clears it.
 */
export function flash(message, kind = 'info') {
  const box = document.getElementById('flash');
  if (!box) return;
  box.textContent = message;
  box.dataset.kind = kind;
  box.hidden = false;
  flashFresh = true;
  setTimeout(() => {
    flashFresh = false;
  }, 0);
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => {
    box.hidden = true;
  }, 8000);
}

document.addEventListener('confab:navigating', () => {
  if (flashFresh) return;
  const box = document.getElementById('flash');
  if (box && !box.hidden) {
    clearTimeout(flashTimer);
    box.hidden = true;
  }
});

/** Words for an ApiError: a known code in the UI language, else the server's message. */
export function errorText(error) {
  if (!error) return t('error.generic');
  if (error.name === 'AbortError') return t('error.aborted');
  if (error.status === 0) return t('error.network');
  const key = `error.${error.code}`;
  const translated = t(key);
  if (translated !== key) return translated;
  if (error.status >= 500) return t('error.server');
  return error.message || t('error.generic');
}

/**
 * Shows an error where it belongs: field errors next to their fields (when `form` has
 * them), a 429 quota notice, or the text in `box`. Never clears what the user typed.
 */
export function showError(error, { form, box } = {}) {
  const problems = fieldProblems(error);
  if (form && problems.length && showFieldErrors(form, error)) {
    if (box) setError(box, t('error.checkFields'));
    return;
  }
  if (problems.length) {
    // No control to put them next to: list them, in the UI language.
    const text = problems.map(([name, problem]) => (has(`fieldname.${name}`) ? `${t(`fieldname.${name}`)}: ${problem}` : problem)).join(' · ');
    if (box) setError(box, text);
    else flash(text, 'warn');
    return;
  }
  if (box && error && error.code === 'quota_exceeded') {
    box.hidden = false;
    // The notice is its own (yellow) box: the error box around it draws nothing.
    box.classList.add('has-notice');
    box.replaceChildren(exceededNotice(error));
    return;
  }
  if (box) setError(box, errorText(error));
  else flash(errorText(error), 'warn');
}

/**
 * Every form's submit, done one way. `ready()` returning false ignores the submit (nothing
 * to send). Old errors are cleared; `check()` may refuse with `{text, focus}` (shown in
 * `box`). Then `send()` runs with the submit button disabled, so a second click or Enter
 * cannot send twice. An error that `onError` does not take (it returns true when it did)
 * goes next to its fields, or into `box`. What the user typed is never cleared here.
 */
export function submitForm(form, { box, button, ready, check, send, onError }) {
  const submit = button || form.querySelector('button[type="submit"]');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if ((submit && submit.disabled) || (ready && !ready())) return;
    clearFieldErrors(form);
    if (box) setError(box, '');
    const refusal = check ? check() : null;
    if (refusal) {
      if (box) setError(box, refusal.text);
      if (refusal.focus) refusal.focus.focus();
      return;
    }
    const run = async () => {
      try {
        await send();
      } catch (error) {
        if (!(onError && (await onError(error)))) showError(error, { form, box });
      }
    };
    await (submit ? busy(submit, run) : run());
  });
  return form;
}

/** The page's title and heading. */
export function pageHeader(title, ...extra) {
  document.title = `${title} · confab`;
  return h('div', { class: 'page-header' }, h('h1', { text: title }), ...extra);
}

export function emptyState(text, ...actions) {
  return h('div', { class: 'empty' }, h('p', { text }), ...actions);
}

export function spinner(label) {
  return h('div', { class: 'loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), h('span', { text: label || t('common.loading') }));
}

/**
 * Shows a spinner in `container` while `promise` settles. Resolves to its value, or — after
 * putting the error in `container` (or handing it to `onError`, which returns true when it
 * drew something itself) — to undefined.
 */
export async function loadInto(container, promise, onError) {
  const loading = spinner();
  container.append(loading);
  try {
    return await promise;
  } catch (error) {
    if (!(onError && onError(error))) {
      const box = h('div', { class: 'form-error', role: 'alert' });
      container.append(box);
      showError(error, { box });
    }
    return undefined;
  } finally {
    loading.remove();
  }
}

/** A confirmation dialog (native <dialog>); resolves true when confirmed. */
export function confirmDialog({ title, body, confirm, danger = false, input }) {
  return new Promise((resolve) => {
    const inputEl = input ? h('input', { type: input.type || 'text', id: 'confirm-input', autocomplete: input.autocomplete || 'off' }) : null;
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'dialog-title' },
      h('form', { method: 'dialog' },
        h('h2', { id: 'dialog-title', text: title }),
        body ? h('p', { text: body }) : null,
        inputEl ? h('div', { class: 'field' }, h('label', { for: 'confirm-input', text: input.label }), inputEl) : null,
        h('div', { class: 'actions' },
          h('button', { type: 'button', value: 'cancel', class: 'button button-ghost', text: t('common.cancel'), on: { click: () => dialog.close('cancel') } }),
          // The only submit button, so Enter in the input confirms.
          h('button', { type: 'submit', value: 'ok', class: danger ? 'button button-danger' : 'button', text: confirm || t('common.ok') }))));
    document.body.append(dialog);
    dialog.addEventListener('close', () => {
      const ok = dialog.returnValue === 'ok';
      const value = inputEl ? inputEl.value : undefined;
      dialog.remove();
      resolve(input ? (ok ? value : null) : ok);
    });
    dialog.showModal();
    (inputEl || dialog.querySelector('button[value="cancel"]')).focus();
  });
}
