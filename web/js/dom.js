// DOM helpers. Every piece of user or model text goes in through textContent; the one
// exception is `trustedHtml`, for the server's Markdown rendering, which the server has
// already sanitised (ammonia) and which is marked as such at each call site.

import { fieldProblems } from './i18n.js';

/**
 * Creates an element. `props`: `class`, `text`, `on` ({event: handler}), `dataset`,
 * boolean and string attributes; children: nodes, strings (as text) or arrays of them.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'on') for (const [ev, fn] of Object.entries(value)) el.addEventListener(ev, fn);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'value') el.value = value;
    else if (key === 'checked' || key === 'disabled' || key === 'selected' || key === 'hidden' || key === 'required' || key === 'multiple') el[key] = Boolean(value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

/** Appends nodes, strings (as text) and nested arrays; skips null, undefined and false. */
export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replaces all children. */
export function mount(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

/**
 * Puts HTML that the confab server rendered from Markdown and sanitised with ammonia
 * (the `html` field of a message) into `el`. Never call this with anything else.
 */
export function trustedHtml(el, serverSanitisedHtml) {
  const template = document.createElement('template');
  template.innerHTML = serverSanitisedHtml; // eslint-disable-line no-unsanitized/property
  // Defence in depth: links open safely even if the server's policy changes.
  for (const a of template.content.querySelectorAll('a')) {
    a.setAttribute('rel', 'noopener noreferrer nofollow');
    a.setAttribute('target', '_blank');
  }
  el.replaceChildren(template.content);
  return el;
}

/** A labelled form control with an error slot; returns {wrap, input, error}. */
export function field({ id, label, type = 'text', value = '', autocomplete, required, maxlength, hint, multiline, rows, options }) {
  let input;
  if (options) {
    input = h('select', { id, name: id, required });
    for (const opt of options) input.append(h('option', { value: opt.value, selected: opt.value === value, text: opt.label }));
  } else if (multiline) {
    input = h('textarea', { id, name: id, rows: rows || 4, required, maxlength });
    input.value = value;
  } else {
    input = h('input', { id, name: id, type, autocomplete, required, maxlength });
    input.value = value;
  }
  const error = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  const hintEl = hint ? h('p', { class: 'field-hint', id: `${id}-hint`, text: hint }) : null;
  input.setAttribute('aria-describedby', [hintEl ? `${id}-hint` : '', `${id}-error`].filter(Boolean).join(' '));
  const wrap = h('div', { class: 'field' }, h('label', { for: id, text: label }), input, hintEl, error);
  return { wrap, input, error };
}

/**
 * Shows an ApiError's field errors next to their controls (by the field's `name`), in the
 * UI language; focuses the first. Returns whether any control matched.
 */
export function showFieldErrors(form, apiError) {
  clearFieldErrors(form);
  let first = null;
  for (const [name, text] of fieldProblems(apiError)) {
    const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
    const error = form.querySelector(`#${CSS.escape(input ? input.id : name)}-error`);
    if (!input || !error) continue;
    input.setAttribute('aria-invalid', 'true');
    error.textContent = text;
    error.hidden = false;
    first = first || input;
  }
  if (first) first.focus();
  return Boolean(first);
}

export function clearFieldErrors(form) {
  for (const el of form.querySelectorAll('.field-error')) {
    el.hidden = true;
    el.textContent = '';
  }
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
}

/** A form-level error box (role=alert). */
export function errorBox() {
  return h('div', { class: 'form-error', role: 'alert', hidden: true });
}

export function setError(box, message) {
  box.classList.remove('has-notice');
  box.textContent = message || '';
  box.hidden = !message;
}

/** Disables a button while `task` runs; returns its result. */
export async function busy(button, task) {
  const was = button.disabled;
  const hadFocus = document.activeElement === button;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await task();
  } finally {
    button.disabled = was;
    button.removeAttribute('aria-busy');
    // Disabling dropped keyboard focus to <body>; give it back if nothing else took it.
    if (hadFocus && button.isConnected && (document.activeElement === document.body || !document.activeElement)) button.focus();
  }
}

/** Saves a Blob as a download. */
export function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
