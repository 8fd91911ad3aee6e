// Log in and sign up.

import * as api from '../api.js';
import { h, field, errorBox, setError, busy, clearFieldErrors } from '../dom.js';
import { t } from '../i18n.js';
import { navigate } from '../router.js';
import { pageHeader, showError, flash } from '../ui.js';

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

export function renderLogin(main, params, query) {
  const email = field({ id: 'email', label: t('auth.email'), type: 'email', autocomplete: 'username', required: true });
  const password = field({ id: 'password', label: t('auth.password'), type: 'password', autocomplete: 'current-password', required: true });
  const box = errorBox();
  const submit = h('button', { type: 'submit', class: 'button button-wide', text: t('auth.login') });
  const form = h('form', { class: 'card form', novalidate: true }, box, email.wrap, password.wrap, submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    setError(box, '');
    if (!email.input.value.trim() || !password.input.value) {
      setError(box, t('auth.fillBoth'));
      (email.input.value.trim() ? password.input : email.input).focus();
      return;
    }
    await busy(submit, async () => {
      try {
        await api.login(email.input.value.trim(), password.input.value);
        flash(t('auth.welcome', { name: api.user().username }));
        navigate(nextPath(query), { replace: true });
      } catch (error) {
        if (error.code === 'invalid_credentials') {
          setError(box, t('error.invalid_credentials'));
          password.input.select();
          password.input.focus();
        } else {
          showError(error, { form, box });
        }
      }
    });
  });
  main.append(
    h('section', { class: 'narrow' },
      pageHeader(t('auth.loginTitle')),
      form,
      h('p', { class: 'center' }, t('auth.noAccount'), ' ', h('a', { href: `/signup${query.get('next') ? `?next=${encodeURIComponent(query.get('next'))}` : ''}`, 'data-link': true, text: t('auth.signup') }))));
}

export function renderSignup(main, params, query) {
  const email = field({ id: 'email', label: t('auth.email'), type: 'email', autocomplete: 'email', required: true });
  const username = field({ id: 'username', label: t('auth.username'), autocomplete: 'username', required: true, maxlength: 30, hint: t('auth.usernameHint') });
  const password = field({ id: 'password', label: t('auth.password'), type: 'password', autocomplete: 'new-password', required: true, hint: t('auth.passwordHint') });
  const password2 = field({ id: 'password2', label: t('auth.password2'), type: 'password', autocomplete: 'new-password', required: true });
  const box = errorBox();
  const submit = h('button', { type: 'submit', class: 'button button-wide', text: t('auth.signup') });
  const form = h('form', { class: 'card form', novalidate: true }, box, email.wrap, username.wrap, password.wrap, password2.wrap, submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    setError(box, '');
    await busy(submit, async () => {
      const body = {
        email: email.input.value.trim(),
        username: username.input.value.trim(),
        password: password.input.value,
        password2: password2.input.value,
      };
      try {
        await api.post('/api/auth/signup', body, { auth: false });
        await api.login(body.email, body.password);
        flash(t('auth.created', { name: api.user().username }));
        navigate(nextPath(query), { replace: true });
      } catch (error) {
        showError(error, { form, box });
      }
    });
  });
  main.append(
    h('section', { class: 'narrow' },
      pageHeader(t('auth.signupTitle')),
      form,
      h('p', { class: 'center' }, t('auth.haveAccount'), ' ', h('a', { href: '/login', 'data-link': true, text: t('auth.login') }))));
}
