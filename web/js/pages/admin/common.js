// Shared pieces of the admin page: its style sheet, role and scope names, limits as words.

import { h } from '../../dom.js';
import { t, formatNumber } from '../../i18n.js';

export const ROLES = ['member', 'manager', 'admin'];
export const SCOPES = ['chat', 'interview', 'tarot', 'travel'];

/** Loads admin.css once (a page-specific sheet, like the travel planner's). */
export function ensureStyles() {
  if (document.getElementById('admin-css')) return;
  const href = new URL('./admin.css', import.meta.url).href;
  document.head.append(h('link', { id: 'admin-css', rel: 'stylesheet', href }));
}

export const roleName = (role) => t(`admin.role.${role}`);
export const scopeName = (scope) => t(`scope.${scope}`);

/** "3회" / "3 calls" ("1 call"), the number formatted for the UI language. */
export function calls(n) {
  return t(n === 1 ? 'admin.calls.one' : 'admin.calls', { n: formatNumber(n) });
}

/** A daily limit in words: `null` for the default, 0 for unlimited, else "10회"/"10 calls". */
export function limitWords(limit) {
  if (limit === null || limit === undefined) return t('admin.default');
  if (limit === 0) return t('admin.unlimited');
  return calls(limit);
}
