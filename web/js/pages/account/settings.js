// Settings that live in this browser: language and, for a UI hosted apart from the API,
// the API's address.

import * as api from '../../api.js';
import { h, field, errorBox, setError } from '../../dom.js';
import { t, language, setLanguage } from '../../i18n.js';
import { pageHeader, flash, submitForm } from '../../ui.js';

export function render(main) {
  const lang = field({ id: 'language', label: t('settings.language'), value: language(), options: [
    { value: 'ko', label: '한국어' },
    { value: 'en', label: 'English' },
  ] });
  lang.input.addEventListener('change', () => setLanguage(lang.input.value));

  let stored = '';
  try {
    stored = localStorage.getItem('confab.apiBase') || '';
  } catch {
    stored = '';
  }
  const base = field({ id: 'api-base', label: t('settings.apiBase'), type: 'url', value: stored, hint: t('settings.apiBaseHint') });
  const box = errorBox();
  const save = h('button', { type: 'submit', class: 'button', text: t('common.save') });
  const form = h('form', { class: 'card form', novalidate: true }, box, base.wrap, save);
  submitForm(form, {
    box,
    async send() {
      let candidate;
      try {
        candidate = api.normalizeApiBase(base.input.value);
      } catch {
        setError(box, t('settings.apiBaseInvalid'));
        base.input.focus();
        return;
      }
      // Check before saving: a wrong address would break every call, login included.
      if (candidate && !(await api.reachable(candidate))) {
        setError(box, t('settings.apiBaseUnreachable'));
        base.input.focus();
        return;
      }
      api.setApiBase(candidate);
      flash(t('settings.saved'));
      await api.refresh().catch(() => null);
    },
  });

  main.append(h('section', { class: 'narrow' },
    pageHeader(t('settings.title')),
    h('div', { class: 'card form' }, lang.wrap),
    h('h2', { text: t('settings.server') }),
    form));
}
