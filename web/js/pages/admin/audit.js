// The audit-log tab: every admin action, newest first, as one sentence each (who, what,
// to whom, before → after) with its time, page by page.

import { h } from '../../dom.js';
import { t, language, formatDateTime } from '../../i18n.js';
import { showError } from '../../ui.js';
import { pager } from '../../pager.js';
import { roleName, scopeName, limitWords } from './common.js';
import { josa } from './josa.js';

/** The words of one entry, in the UI language (Korean particles fitted to each word). */
export function describe(entry) {
  const ko = language() === 'ko';
  const actorName = entry.actor ? entry.actor.username : t('admin.system');
  const targetName = entry.target.username;
  const before = entry.before || {};
  const after = entry.after || {};
  let from = '';
  let to = '';
  let scope = '';
  if (entry.action === 'role_changed' || entry.action === 'promoted_by_config') {
    from = roleName(before.role);
    to = roleName(after.role);
  } else if (entry.action === 'quota_override_set' || entry.action === 'quota_override_cleared') {
    scope = scopeName(after.scope || before.scope);
    from = limitWords(before.limit);
    to = limitWords(after.limit);
  }
  const vars = ko
    ? { actor: josa(actorName, '이/가'), target: josa(targetName, entry.action === 'promoted_by_config' ? '이/가' : '의'), before: from, after: josa(to, '(으)로'), scope, action: entry.action }
    : { actor: actorName, target: targetName, before: from, after: to, scope, action: entry.action };
  const key = `admin.audit.${entry.action}`;
  let text = t(key, vars);
  if (text === key) text = t('admin.audit.other', vars);
  if (entry.action === 'deactivated' && after.api_keys_revoked) {
    text += ` (${t('admin.apiKeysRevoked', { n: after.api_keys_revoked })})`;
  }
  return text;
}

export async function render(panel) {
  const list = h('ol', { class: 'admin-audit' });
  const empty = h('p', { class: 'empty', hidden: true, text: t('admin.noAudit') });
  const box = h('div', { class: 'form-error', role: 'alert', hidden: true });
  const pages = pager({
    path: '/api/admin/audit?limit=50',
    show: (items) => {
      for (const entry of items) {
        list.append(h('li', { dataset: { entry: entry.id, action: entry.action } },
          h('time', { datetime: entry.at, class: 'muted', text: formatDateTime(entry.at) }),
          h('span', { class: 'admin-audit-text', text: describe(entry) })));
      }
    },
    empty: () => {
      empty.hidden = false;
    },
    onError: (error) => showError(error, { box }),
  });
  panel.append(box, list, empty, h('div', { class: 'actions' }, pages.button));
  await pages.load();
  return undefined;
}
