// Pieces the board's pages share: categories, who may do what, image URLs, meta lines.

import * as api from '../../api.js';
import { h } from '../../dom.js';
import { t, formatDateTime, formatNumber } from '../../i18n.js';

export const CATEGORIES = ['notice', 'question', 'chat'];

/** Whether the signed-in user may post notices (managers and admins). */
export function isManager() {
  const me = api.user();
  return Boolean(me && (me.role === 'manager' || me.role === 'admin'));
}

/** An image URL from the API (`/api/media/…`) against the configured API base. */
export function mediaUrl(url) {
  return url && url.startsWith('/api/') ? api.apiBase() + url : url;
}

export function categoryBadge(category) {
  return h('span', { class: ['badge', `board-cat-${category}`], text: t(`board.cat.${category}`) });
}

/** "author · date · views · comments" under a title. */
export function metaLine(post) {
  return h('p', { class: 'board-meta muted' },
    h('span', { class: 'board-author', text: post.author.username }),
    h('span', { text: formatDateTime(post.created_at) }),
    h('span', { class: 'board-views', text: t('board.views', { n: formatNumber(post.view_count) }) }),
    h('span', { class: 'board-comment-count', text: t('board.comments', { n: formatNumber(post.comment_count) }) }));
}
