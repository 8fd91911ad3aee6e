// The users tab: search and filter, a table (email, username, role, state, joined, last
// active, today's use per scope) loaded page by page, and a panel per user to change the
// role, deactivate or reactivate, and set daily limits per scope.

import * as api from '../../api.js';
import { h, field, errorBox, setError, busy } from '../../dom.js';
import { t, formatDateTime, formatDate } from '../../i18n.js';
import { showError, flash, confirmDialog, submitForm } from '../../ui.js';
import { pager } from '../../pager.js';
import { ROLES, SCOPES, roleName, scopeName } from './common.js';
import { josa } from './josa.js';

const PAGE = 50;

function usedText(scope) {
  const limit = scope.limit === null ? t('admin.unlimited') : scope.limit;
  return t('admin.usedOf', { used: scope.used_today, limit });
}

function todayCell(user) {
  return h('td', { class: 'admin-today' },
    h('ul', { class: 'admin-scopes' }, user.quota.map((scope) => h('li', {},
      h('span', { class: 'muted', text: `${scopeName(scope.scope)} ` }),
      h('span', { class: scope.override === null ? '' : 'admin-override', text: usedText(scope) })))));
}

function stateBadge(user) {
  return h('span', { class: user.is_active ? 'badge' : 'badge badge-error', text: t(`admin.state.${user.state}`) });
}

export async function render(panel, { me }) {
  const q = field({ id: 'admin-q', label: t('admin.searchLabel'), type: 'search', hint: t('admin.searchHint'), maxlength: 200 });
  q.input.name = 'q';
  const role = field({ id: 'admin-role', label: t('admin.roleFilter'), value: '', options: [{ value: '', label: t('admin.all') }, ...ROLES.map((r) => ({ value: r, label: roleName(r) }))] });
  role.input.name = 'role';
  const state = field({ id: 'admin-state', label: t('admin.stateFilter'), value: '', options: [{ value: '', label: t('admin.all') }, { value: 'active', label: t('admin.state.active') }, { value: 'deactivated', label: t('admin.state.deactivated') }] });
  state.input.name = 'state';
  const box = errorBox();
  const form = h('form', { class: 'admin-filters', role: 'search', novalidate: true },
    h('div', { class: 'admin-filter-fields' }, q.wrap, role.wrap, state.wrap),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button', text: t('admin.search') })),
    box);

  const body = h('tbody');
  const table = h('table', { class: 'table admin-users' },
    h('thead', {}, h('tr', {}, ['user', 'role', 'state', 'created', 'lastActive', 'today', 'actions'].map((c) => h('th', { scope: 'col', text: t(`admin.col.${c}`) })))),
    body);
  const empty = h('p', { class: 'empty', hidden: true, text: t('admin.noUsers') });

  const path = () => {
    const params = new URLSearchParams({ limit: String(PAGE) });
    if (q.input.value.trim()) params.set('q', q.input.value.trim());
    if (role.input.value) params.set('role', role.input.value);
    if (state.input.value) params.set('state', state.input.value);
    return `/api/admin/users?${params}`;
  };

  const rows = new Map();
  function row(user) {
    const manage = h('button', { type: 'button', class: 'button button-ghost button-small', 'aria-expanded': 'false', dataset: { manage: user.id }, text: t('admin.manage') });
    const tr = h('tr', { dataset: { user: user.id } },
      h('th', { scope: 'row' },
        h('strong', { text: user.username }), user.id === me.id ? h('span', { class: 'muted', text: ` (${t('admin.you')})` }) : null,
        h('br'), h('span', { class: 'muted admin-email', text: user.email || t('admin.noEmail') })),
      h('td', { text: roleName(user.role) }),
      h('td', {}, stateBadge(user)),
      h('td', { text: formatDate(user.created_at) }),
      h('td', { text: user.last_active_at ? formatDateTime(user.last_active_at) : t('admin.never') }),
      todayCell(user),
      h('td', {}, manage));
    manage.addEventListener('click', () => toggleEditor(user.id, manage));
    return tr;
  }

  function put(user) {
    const old = rows.get(user.id);
    const fresh = row(user);
    rows.set(user.id, { tr: fresh, user });
    if (old) {
      const editor = old.tr.nextElementSibling && old.tr.nextElementSibling.classList.contains('admin-editor-row') ? old.tr.nextElementSibling : null;
      old.tr.replaceWith(fresh);
      if (editor) {
        editor.remove();
        toggleEditor(user.id, fresh.querySelector('[data-manage]'));
      }
    } else {
      body.append(fresh);
    }
  }

  function toggleEditor(id, button) {
    const { tr } = rows.get(id);
    const next = tr.nextElementSibling;
    if (next && next.classList.contains('admin-editor-row')) {
      next.remove();
      button.setAttribute('aria-expanded', 'false');
      return;
    }
    const editor = h('tr', { class: 'admin-editor-row' }, h('td', { colspan: '7' }, editorFor(rows.get(id).user)));
    tr.after(editor);
    button.setAttribute('aria-expanded', 'true');
    const first = editor.querySelector('select, input, button');
    if (first) first.focus();
  }

  async function change(user, body) {
    const updated = await api.patch(`/api/admin/users/${user.id}`, body);
    put(updated);
    return updated;
  }

  function editorFor(user) {
    const title = t('admin.manageTitle', { name: user.username });
    // Role.
    const roleBox = errorBox();
    const roleField = field({ id: `role-${user.id}`, label: t('admin.col.role'), value: user.role, options: ROLES.map((r) => ({ value: r, label: roleName(r) })) });
    roleField.input.name = 'role';
    const roleForm = h('form', { class: 'admin-edit-role', dataset: { roleForm: user.id } },
      roleField.wrap, h('button', { type: 'submit', class: 'button button-small', text: t('admin.changeRole') }), roleBox);
    submitForm(roleForm, {
      box: roleBox,
      ready: () => roleField.input.value !== user.role,
      send: async () => {
        const updated = await change(user, { role: roleField.input.value });
        flash(t('admin.roleSaved', { name: updated.username, role: josa(roleName(updated.role), '(으)로') }));
      },
    });
    // Activity.
    const activeBox = errorBox();
    const activeButton = h('button', {
      type: 'button',
      class: user.is_active ? 'button button-danger button-small' : 'button button-small',
      dataset: { toggleActive: user.id },
      text: user.is_active ? t('admin.deactivate') : t('admin.reactivate'),
    });
    activeButton.addEventListener('click', async () => {
      setError(activeBox, '');
      if (user.is_active) {
        const ok = await confirmDialog({ title: t('admin.deactivateTitle', { name: user.username }), body: t('admin.deactivateBody'), confirm: t('admin.deactivate'), danger: true });
        if (!ok) return;
      }
      await busy(activeButton, async () => {
        try {
          const updated = await change(user, { is_active: !user.is_active });
          flash(t(updated.is_active ? 'admin.reactivated' : 'admin.deactivated', { name: updated.username }));
        } catch (error) {
          showError(error, { box: activeBox });
        }
      });
    });
    // Limits: an empty box is the default, 0 unlimited.
    const limitsBox = errorBox();
    const inputs = SCOPES.map((scope) => {
      const current = user.quota.find((s) => s.scope === scope) || {};
      const fallback = current.default_limit === null ? t('admin.unlimited') : current.default_limit;
      const f = field({ id: `limit-${scope}-${user.id}`, label: t('admin.limitLabel', { scope: scopeName(scope), default: fallback }), type: 'number', value: current.override === null || current.override === undefined ? '' : String(current.override) });
      f.input.name = `quota_overrides.${scope}`;
      f.input.min = '0';
      f.input.max = '100000';
      f.input.step = '1';
      f.input.inputMode = 'numeric';
      return { scope, f };
    });
    const limitsForm = h('form', { class: 'admin-edit-limits', novalidate: true, dataset: { limitsForm: user.id } },
      h('fieldset', {}, h('legend', { text: t('admin.limits') }), h('p', { class: 'field-hint', text: t('admin.limitsHint') }),
        h('div', { class: 'admin-limit-fields' }, inputs.map(({ f }) => f.wrap))),
      h('button', { type: 'submit', class: 'button button-small', text: t('admin.saveLimits') }), limitsBox);
    submitForm(limitsForm, {
      box: limitsBox,
      send: async () => {
        const overrides = {};
        for (const { scope, f } of inputs) {
          const raw = f.input.value.trim();
          // A number the browser could not read (e.g. "1e") is sent as text: the server
          // names the field.
          overrides[scope] = raw === '' ? null : (/^-?\d+$/.test(raw) ? Number(raw) : raw);
        }
        const updated = await change(user, { quota_overrides: overrides });
        flash(t('admin.limitsSaved', { name: updated.username }));
      },
    });
    return h('section', { class: 'admin-editor', 'aria-label': title },
      h('h3', { text: title }),
      h('div', { class: 'admin-editor-grid' },
        roleForm,
        h('div', { class: 'admin-edit-active' }, activeButton, activeBox),
        limitsForm));
  }

  const list = pager({
    path,
    show: (items, first) => {
      if (first) {
        body.replaceChildren();
        rows.clear();
      }
      empty.hidden = !(first && !items.length);
      table.hidden = first && !items.length;
      items.forEach(put);
    },
    onError: (error) => showError(error, { box }),
  });

  submitForm(form, {
    box,
    send: async () => {
      await list.reload();
    },
  });

  panel.append(form, h('div', { class: 'admin-table-wrap' }, table), empty, h('div', { class: 'actions' }, list.button));
  await list.load();
  return undefined;
}
