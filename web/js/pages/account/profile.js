// Your account: profile, today's quota, password, deletion.

import * as api from '../../api.js';
import * as quota from '../../quota.js';
import { h, field, errorBox, setError, busy } from '../../dom.js';
import { t, formatDateTime, formatTime, formatTimeZone } from '../../i18n.js';
import { navigate } from '../../router.js';
import { pageHeader, showError, flash, confirmDialog, loadInto, submitForm } from '../../ui.js';
import { providers, providerName, mark, oauthErrorText } from './social.js';
import { apiKeysCard } from './apikeys.js';

function profileForm(me) {
  // An account made by a provider may have no email yet.
  const email = field({ id: 'email', label: t('auth.email'), type: 'email', autocomplete: 'email', value: me.email || '', required: Boolean(me.email) });
  const username = field({ id: 'username', label: t('auth.username'), autocomplete: 'username', value: me.username, required: true });
  const box = errorBox();
  const save = h('button', { type: 'submit', class: 'button', text: t('common.save') });
  const form = h('form', { class: 'card form', novalidate: true, 'aria-labelledby': 'profile-h' },
    h('h2', { id: 'profile-h', text: t('profile.details') }), box, email.wrap, username.wrap,
    h('p', { class: 'muted', text: t('profile.meta', { role: t(`role.${me.role}`), since: formatDateTime(me.created_at) }) }),
    save);
  submitForm(form, {
    box,
    async send() {
      const body = {};
      if (email.input.value.trim() !== (me.email || '') && (me.email || email.input.value.trim())) body.email = email.input.value.trim();
      if (username.input.value.trim() !== me.username) body.username = username.input.value.trim();
      if (!Object.keys(body).length) {
        flash(t('profile.nothingChanged'));
        return;
      }
      const updated = await api.patch('/api/me', body);
      Object.assign(me, updated);
      api.updateUser({ email: updated.email, username: updated.username });
      flash(t('profile.saved'));
    },
  });
  return form;
}

/** Linked sign-in providers: link another (through the provider), unlink one. */
function identitiesCard(linked, enabled) {
  const box = errorBox();
  const list = h('ul', { class: 'identity-list' });
  const byId = new Map(linked.map((i) => [i.provider, i]));
  const ids = [...new Set([...enabled.map((p) => p.id), ...linked.map((i) => i.provider)])];
  for (const id of ids) {
    const identity = byId.get(id);
    const action = identity
      ? h('button', { type: 'button', class: 'button button-ghost button-small', 'data-unlink': id, text: t('social.unlink') })
      : h('button', { type: 'button', class: 'button button-small', 'data-link-provider': id, text: t('social.link') });
    action.addEventListener('click', () => busy(action, async () => {
      setError(box, '');
      try {
        if (identity) {
          await api.del(`/api/me/identities/${id}`);
          flash(t('social.unlinked', { provider: providerName(id) }));
          navigate('/profile', { replace: true });
        } else {
          // The response sets the flow's cookie; the provider then sends the browser back
          // to the callback, which returns here with `?linked=`.
          const start = await api.post(`/api/me/identities/${id}`);
          window.location.assign(start.authorize_url);
        }
      } catch (error) {
        showError(error, { box });
      }
    }));
    const status = identity
      ? t('social.linkedAs', { email: identity.email || t('social.noEmail') })
      : t('social.notLinked');
    list.append(h('li', { class: 'identity', 'data-provider': id },
      h('span', { class: `identity-mark social-${id}` }, mark(id)),
      h('span', { class: 'identity-text' }, h('strong', { text: providerName(id) }), h('span', { class: 'muted', text: status })),
      action));
  }
  return h('section', { class: 'card', 'aria-labelledby': 'identities-h' },
    h('h2', { id: 'identities-h', text: t('social.title') }),
    box,
    ids.length ? list : h('p', { class: 'muted', text: t('social.none') }));
}

function quotaCard(view) {
  const rows = (view && view.scopes) || [];
  return h('section', { class: 'card', 'aria-labelledby': 'quota-h' },
    h('h2', { id: 'quota-h', text: t('profile.quota') }),
    h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: t('profile.scope') }), h('th', { scope: 'col', text: t('profile.remaining') }), h('th', { scope: 'col', text: t('profile.resets') }))),
      h('tbody', {}, rows.map((s) => h('tr', {},
        h('th', { scope: 'row', text: t(`scope.${s.scope}`) }),
        h('td', { text: quota.describe(s) }),
        h('td', { text: formatTime(s.resets_at) }))))),
    view ? h('p', { class: 'muted', text: t('profile.timezone', { tz: formatTimeZone(view.timezone) }) }) : null);
}

function passwordForm(me) {
  const current = me.has_password === false ? null : field({ id: 'current_password', label: t('profile.currentPassword'), type: 'password', autocomplete: 'current-password', required: true });
  const next = field({ id: 'new_password', label: t('profile.newPassword'), type: 'password', autocomplete: 'new-password', required: true, hint: t('auth.passwordHint') });
  const next2 = field({ id: 'new_password2', label: t('profile.newPassword2'), type: 'password', autocomplete: 'new-password', required: true });
  const box = errorBox();
  const save = h('button', { type: 'submit', class: 'button', text: t('profile.changePassword') });
  const form = h('form', { class: 'card form', novalidate: true, 'aria-labelledby': 'password-h' },
    h('h2', { id: 'password-h', text: t('profile.password') }), box, current && current.wrap, next.wrap, next2.wrap,
    h('p', { class: 'muted', text: t('profile.passwordNote') }), save);
  submitForm(form, {
    box,
    async send() {
      await api.put('/api/me/password', {
        current_password: current ? current.input.value : '',
        new_password: next.input.value,
        new_password2: next2.input.value,
      });
      for (const f of [current, next, next2]) if (f) f.input.value = '';
      flash(t('profile.passwordChanged'));
    },
  });
  return form;
}

function deleteCard(me) {
  const box = errorBox();
  const button = h('button', { type: 'button', class: 'button button-danger', text: t('profile.delete') });
  button.addEventListener('click', async () => {
    setError(box, '');
    const withPassword = me.has_password !== false;
    const value = await confirmDialog({
      title: t('profile.deleteTitle'),
      body: t('profile.deleteBody'),
      confirm: t('profile.deleteConfirm'),
      danger: true,
      input: withPassword
        ? { label: t('auth.password'), type: 'password', autocomplete: 'current-password' }
        : { label: t('profile.typeUsername', { name: me.username }) },
    });
    if (value === null || value === undefined) return;
    await busy(button, async () => {
      try {
        await api.del('/api/me', withPassword ? { password: value } : { confirm: value });
        api.forget();
        flash(t('profile.deleted'));
        navigate('/', { replace: true });
      } catch (error) {
        showError(error, { box });
      }
    });
  });
  return h('section', { class: 'card card-danger', 'aria-labelledby': 'delete-h' },
    h('h2', { id: 'delete-h', text: t('profile.deleteTitle') }),
    h('p', { text: t('profile.deleteBody') }), box, button);
}

export async function render(main, params, query) {
  main.append(pageHeader(t('profile.title')));
  // What a link flow reported back; the address is then cleaned so a reload shows nothing.
  const linked = query && query.get('linked');
  const oauthError = query && oauthErrorText(query);
  if (linked) flash(t('social.linked', { provider: providerName(linked) }));
  if (oauthError) flash(oauthError, 'warn');
  if (linked || oauthError) window.history.replaceState(window.history.state, '', '/profile');
  const me = await loadInto(main, api.get('/api/me'));
  if (!me) return;
  const [view, identities, enabled, keys] = await Promise.all([
    quota.reload(),
    api.get('/api/me/identities').catch(() => ({ items: [] })),
    providers(),
    apiKeysCard(),
  ]);
  main.append(h('div', { class: 'grid-2' },
    h('div', { class: 'stack' }, profileForm(me), identitiesCard(identities.items || [], enabled), passwordForm(me)),
    h('div', { class: 'stack' }, quotaCard(view), keys, deleteCard(me))));
}
