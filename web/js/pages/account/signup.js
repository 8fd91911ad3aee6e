// Sign up; the new account is logged in at once.

import * as api from '../../api.js';
import { h, field, errorBox } from '../../dom.js';
import { t } from '../../i18n.js';
import { navigate } from '../../router.js';
import { pageHeader, flash, submitForm } from '../../ui.js';
import { nextPath } from './login.js';
import { socialButtons } from './social.js';

export function render(main, params, query) {
  const email = field({ id: 'email', label: t('auth.email'), type: 'email', autocomplete: 'email', required: true });
  const username = field({ id: 'username', label: t('auth.username'), autocomplete: 'username', required: true, maxlength: 30, hint: t('auth.usernameHint') });
  const password = field({ id: 'password', label: t('auth.password'), type: 'password', autocomplete: 'new-password', required: true, hint: t('auth.passwordHint') });
  const password2 = field({ id: 'password2', label: t('auth.password2'), type: 'password', autocomplete: 'new-password', required: true });
  const box = errorBox();
  const submit = h('button', { type: 'submit', class: 'button button-wide', text: t('auth.signup') });
  const form = h('form', { class: 'card form', novalidate: true }, box, email.wrap, username.wrap, password.wrap, password2.wrap, submit);
  submitForm(form, {
    box,
    async send() {
      const body = {
        email: email.input.value.trim(),
        username: username.input.value.trim(),
        password: password.input.value,
        password2: password2.input.value,
      };
      await api.post('/api/auth/signup', body, { auth: false });
      await api.login(body.email, body.password);
      flash(t('auth.created', { name: api.user().username }));
      navigate(nextPath(query), { replace: true });
    },
  });
  main.append(
    h('section', { class: 'narrow' },
      pageHeader(t('auth.signupTitle')),
      socialButtons(query.get('next') && nextPath(query)),
      form,
      h('p', { class: 'center' }, t('auth.haveAccount'), ' ', h('a', { href: '/login', 'data-link': true, text: t('auth.login') }))));
}
