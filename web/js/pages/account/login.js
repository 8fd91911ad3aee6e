// Log in.

import * as api from '../../api.js';
import { h, field, errorBox, setError } from '../../dom.js';
import { t } from '../../i18n.js';
import { navigate } from '../../router.js';
import { pageHeader, flash, submitForm } from '../../ui.js';
import { socialButtons, oauthErrorText } from './social.js';

/** Where to go after login: only a page of this site (never another origin or the API). */
export function nextPath(query) {
  const raw = query.get('next') || '/chat';
  try {
    const url = new URL(raw, window.location.origin);
    if (url.origin !== window.location.origin || !raw.startsWith('/') || url.pathname.startsWith('/api/')) return '/chat';
    return url.pathname + url.search + url.hash;
  } catch {
    return '/chat';
  }
}

export function render(main, params, query) {
  const email = field({ id: 'email', label: t('auth.email'), type: 'email', autocomplete: 'username', required: true });
  const password = field({ id: 'password', label: t('auth.password'), type: 'password', autocomplete: 'current-password', required: true });
  const box = errorBox();
  const submit = h('button', { type: 'submit', class: 'button button-wide', text: t('auth.login') });
  const form = h('form', { class: 'card form', novalidate: true }, box, email.wrap, password.wrap, submit);
  submitForm(form, {
    box,
    check: () => {
      if (email.input.value.trim() && password.input.value) return null;
      return { text: t('auth.fillBoth'), focus: email.input.value.trim() ? password.input : email.input };
    },
    async send() {
      await api.login(email.input.value.trim(), password.input.value);
      flash(t('auth.welcome', { name: api.user().username }));
      navigate(nextPath(query), { replace: true });
    },
    onError(error) {
      if (error.code !== 'invalid_credentials') return false;
      setError(box, t('error.invalid_credentials'));
      password.input.select();
      password.input.focus();
      return true;
    },
  });
  const next = query.get('next');
  // What a provider flow reported back (declined, or an account to log in to first).
  const oauthError = oauthErrorText(query);
  if (oauthError) setError(box, oauthError);
  main.append(
    h('section', { class: 'narrow' },
      pageHeader(t('auth.loginTitle')),
      socialButtons(next && nextPath(query)),
      form,
      h('p', { class: 'center' }, t('auth.noAccount'), ' ', h('a', { href: `/signup${next ? `?next=${encodeURIComponent(next)}` : ''}`, 'data-link': true, text: t('auth.signup') }))));
}
