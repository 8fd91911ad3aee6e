// /board/{id}: the post (server-sanitised HTML), edit/delete for those allowed, and its
// comments with one level of replies.

import * as api from '../../api.js';
import { h, errorBox, trustedHtml, busy } from '../../dom.js';
import { t, formatDateTime } from '../../i18n.js';
import { navigate } from '../../router.js';
import { pager } from '../../pager.js';
import { pageHeader, showError, flash, confirmDialog, submitForm, loadInto, emptyState } from '../../ui.js';
import { categoryBadge, mediaUrl, metaLine } from './common.js';

function commentForm({ postId, parentId, box, onAdded, label, send }) {
  const id = parentId ? `reply-${parentId}` : 'comment-new';
  const input = h('textarea', { id, name: 'content', rows: parentId ? 2 : 3, maxlength: 2000, required: true, placeholder: t('board.commentPlaceholder') });
  const error = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  const form = h('form', { class: ['comment-form', parentId ? 'reply-form' : ''] },
    h('label', { for: id, class: 'visually-hidden', text: label }),
    input, error,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-small', text: send })));
  submitForm(form, {
    box,
    ready: () => input.value.trim().length > 0,
    send: async () => {
      const body = { content: input.value };
      if (parentId) body.parent_id = parentId;
      const comment = await api.post(`/api/posts/${postId}/comments`, body);
      input.value = '';
      onAdded(comment);
    },
  });
  return form;
}

function commentEl(comment, ctx) {
  const body = h('div', { class: 'comment-body' });
  if (comment.deleted) body.append(h('p', { class: 'muted', text: t('board.commentDeleted') }));
  else trustedHtml(body, comment.html); // server-sanitised Markdown
  const actions = h('div', { class: 'comment-actions' });
  const el = h('li', { class: ['comment', comment.deleted ? 'comment-deleted' : ''], id: `comment-${comment.id}` },
    comment.deleted ? null : h('p', { class: 'comment-meta muted' },
      h('strong', { class: 'comment-author', text: comment.author.username }), ' · ', formatDateTime(comment.created_at)),
    body, actions);
  if (comment.can_delete) {
    const del = h('button', { type: 'button', class: 'link-button danger-text', text: t('board.delete'), 'aria-label': t('board.deleteComment') });
    del.addEventListener('click', async () => {
      if (!(await confirmDialog({ title: t('board.deleteComment'), body: t('board.deleteCommentBody'), confirm: t('board.delete'), danger: true }))) return;
      await busy(del, async () => {
        try {
          await api.del(`/api/comments/${comment.id}`);
          await ctx.reload();
        } catch (error) {
          showError(error, { box: ctx.box });
        }
      });
    });
    actions.append(del);
  }
  if (!comment.parent_id) {
    const replies = h('ul', { class: 'replies plain' }, (comment.replies || []).map((r) => commentEl(r, ctx)));
    if (api.user() && !comment.deleted) {
      const toggle = h('button', { type: 'button', class: 'link-button', text: t('board.reply'), 'aria-expanded': 'false' });
      let form = null;
      toggle.addEventListener('click', () => {
        if (form) {
          form.remove();
          form = null;
          toggle.setAttribute('aria-expanded', 'false');
          return;
        }
        form = commentForm({
          postId: comment.post_id,
          parentId: comment.id,
          box: ctx.box,
          label: t('board.replyLabel'),
          send: t('board.replySend'),
          onAdded: (reply) => {
            replies.append(commentEl(reply, ctx));
            form.remove();
            form = null;
            toggle.setAttribute('aria-expanded', 'false');
            ctx.bump(1);
          },
        });
        el.insertBefore(form, replies);
        toggle.setAttribute('aria-expanded', 'true');
        form.querySelector('textarea').focus();
      });
      actions.append(toggle);
    }
    el.append(replies);
  }
  return el;
}

export async function render(main, params) {
  const box = errorBox();
  const post = await loadInto(main, api.get(`/api/posts/${encodeURIComponent(params.id)}`), (error) => {
    if (error.status === 404) {
      main.append(pageHeader(t('board.notFound')), h('p', {}, h('a', { href: '/board', 'data-link': true, text: t('board.back') })));
      return true;
    }
    return false;
  });
  if (!post) return;

  const actions = h('div', { class: 'actions' });
  if (post.can_edit) actions.append(h('a', { class: 'button button-ghost button-small', href: `/board/${post.id}/edit`, 'data-link': true, text: t('board.edit') }));
  if (post.can_delete) {
    const del = h('button', { type: 'button', class: 'button button-danger button-small', text: t('board.delete') });
    del.addEventListener('click', async () => {
      if (!(await confirmDialog({ title: t('board.deleteTitle'), body: t('board.deleteBody'), confirm: t('board.delete'), danger: true }))) return;
      await busy(del, async () => {
        try {
          await api.del(`/api/posts/${post.id}`);
          flash(t('board.deleted'));
          navigate('/board');
        } catch (error) {
          showError(error, { box });
        }
      });
    });
    actions.append(del);
  }

  const header = pageHeader(post.title);
  header.querySelector('h1').prepend(categoryBadge(post.category), ' ');
  const commentCount = h('span', { class: 'muted', text: String(post.comment_count) });
  const meta = metaLine(post);
  const article = h('article', { class: 'board-post card' },
    meta,
    post.has_thumbnail ? h('img', { class: 'board-post-thumb', src: mediaUrl(post.thumbnail_url), alt: t('board.thumbAlt', { title: post.title }) }) : null,
    trustedHtml(h('div', { class: 'board-content markdown' }), post.html), // server-sanitised Markdown
    actions);

  const list = h('ul', { class: 'comments plain' });
  const ctx = {
    box,
    bump: (n) => {
      post.comment_count += n;
      commentCount.textContent = String(post.comment_count);
      const inMeta = meta.querySelector('.board-comment-count');
      if (inMeta) inMeta.textContent = t('board.comments', { n: post.comment_count });
    },
    reload: async () => {
      list.replaceChildren();
      await comments.reload();
      const fresh = await api.get(`/api/posts/${post.id}`).catch(() => null);
      if (fresh) ctx.bump(fresh.comment_count - post.comment_count);
    },
  };
  const comments = pager({
    path: `/api/posts/${post.id}/comments?limit=50`,
    show: (items) => list.append(...items.map((c) => commentEl(c, ctx))),
    empty: () => list.append(emptyState(t('board.noComments'))),
    onError: (error) => showError(error, { box }),
  });
  const section = h('section', { class: 'board-comments', 'aria-labelledby': 'comments-title' },
    h('h2', { id: 'comments-title' }, t('board.commentsTitle'), ' ', commentCount),
    list, comments.button);
  if (api.user()) {
    section.append(commentForm({
      postId: post.id,
      box,
      label: t('board.commentLabel'),
      send: t('board.commentSend'),
      onAdded: (comment) => {
        const empty = list.querySelector('.empty');
        if (empty) empty.remove();
        list.append(commentEl(comment, ctx));
        ctx.bump(1);
      },
    }));
  } else {
    section.append(h('p', { class: 'muted' }, h('a', { href: `/login?next=${encodeURIComponent(`/board/${post.id}`)}`, 'data-link': true, text: t('board.loginToComment') })));
  }
  main.append(h('p', {}, h('a', { class: 'back-link', href: '/board', 'data-link': true, text: `← ${t('board.back')}` })), header, box, article, section);
  await comments.load();
}
