// /board/new and /board/{id}/edit: category (notices only for managers), title, Markdown
// with a live preview, and a thumbnail with a preview before it is uploaded. The post is
// saved first (JSON), then the thumbnail (multipart `file`); the server re-encodes it.

import * as api from '../../api.js';
import { h, errorBox, field, showFieldErrors } from '../../dom.js';
import { t } from '../../i18n.js';
import { navigate } from '../../router.js';
import { pageHeader, showError, flash, submitForm, loadInto } from '../../ui.js';
import { markdownFragment } from '../chat/markdown.js';
import { CATEGORIES, isManager, mediaUrl } from './common.js';

const MAX_BYTES = 5 * 1024 * 1024;
const TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'];

export async function render(main, params) {
  const editing = Boolean(params.id);
  let post = null;
  if (editing) {
    post = await loadInto(main, api.get(`/api/posts/${encodeURIComponent(params.id)}`));
    if (!post) return;
    if (!post.can_edit) {
      main.append(pageHeader(t('board.editTitle')), h('p', { class: 'form-error', role: 'alert', text: t('error.not_author') }));
      return;
    }
  }
  main.append(pageHeader(editing ? t('board.editTitle') : t('board.newTitle')));
  const box = errorBox();

  const allowed = CATEGORIES.filter((c) => c !== 'notice' || isManager() || (post && post.category === 'notice'));
  const category = field({
    id: 'post-category',
    label: t('board.fieldCategory'),
    value: post ? post.category : 'question',
    options: allowed.map((c) => ({ value: c, label: t(`board.cat.${c}`) })),
  });
  category.input.name = 'category';
  const title = field({ id: 'post-title', label: t('board.fieldTitle'), value: post ? post.title : '', required: true, maxlength: 200 });
  title.input.name = 'title';
  const content = field({ id: 'post-content', label: t('board.fieldContent'), value: post ? post.content : '', multiline: true, rows: 12, required: true, maxlength: 20000 });
  content.input.name = 'content';

  // Write / preview tabs over the body.
  const preview = h('div', { class: 'board-preview markdown card', id: 'post-preview', hidden: true, 'aria-live': 'polite' });
  const writeTab = h('button', { type: 'button', class: 'board-tab active', 'aria-pressed': 'true', text: t('board.write.tab') });
  const previewTab = h('button', { type: 'button', class: 'board-tab', 'aria-pressed': 'false', text: t('board.preview.tab') });
  const showPreview = (on) => {
    preview.hidden = !on;
    content.input.hidden = on;
    writeTab.classList.toggle('active', !on);
    previewTab.classList.toggle('active', on);
    writeTab.setAttribute('aria-pressed', String(!on));
    previewTab.setAttribute('aria-pressed', String(on));
    if (on) {
      const text = content.input.value.trim();
      preview.replaceChildren(text ? markdownFragment(content.input.value) : h('p', { class: 'muted', text: t('board.previewEmpty') }));
    }
  };
  writeTab.addEventListener('click', () => showPreview(false));
  previewTab.addEventListener('click', () => showPreview(true));
  content.wrap.insertBefore(h('div', { class: 'board-tabs editor-tabs' }, writeTab, previewTab), content.input);
  content.wrap.insertBefore(preview, content.input.nextSibling);

  // Thumbnail: chosen file previewed as a data: URL (the CSP allows data: images).
  const file = h('input', { type: 'file', id: 'post-file', name: 'file', accept: TYPES.join(',') });
  const fileError = h('p', { class: 'field-error', id: 'post-file-error', hidden: true });
  const thumb = h('img', { class: 'board-thumb-preview', alt: t('board.thumbnailPreview'), hidden: true });
  const remove = h('input', { type: 'checkbox', id: 'post-thumb-remove' });
  const removeRow = h('label', { class: 'check', for: 'post-thumb-remove', hidden: !(post && post.has_thumbnail) }, remove, ' ', t('board.thumbnailRemove'));
  if (post && post.has_thumbnail) {
    thumb.src = mediaUrl(post.thumbnail_url);
    thumb.hidden = false;
  }
  file.addEventListener('change', () => {
    fileError.hidden = true;
    const chosen = file.files && file.files[0];
    if (!chosen) return;
    if (chosen.size > MAX_BYTES) {
      fileError.textContent = t('board.thumbnailTooLarge');
      fileError.hidden = false;
      file.value = '';
      return;
    }
    const reader = new FileReader();
    reader.addEventListener('load', () => {
      if (typeof reader.result === 'string' && reader.result.startsWith('data:image/')) {
        thumb.src = reader.result;
        thumb.hidden = false;
      }
    });
    reader.readAsDataURL(chosen);
    remove.checked = false;
  });
  const thumbField = h('div', { class: 'field' },
    h('label', { for: 'post-file', text: t('board.thumbnail') }), file,
    h('p', { class: 'field-hint', text: t('board.thumbnailHint') }), fileError, thumb, removeRow);

  const submit = h('button', { type: 'submit', class: 'button', text: editing ? t('board.save') : t('board.publish') });
  const cancel = h('a', { class: 'button button-ghost', href: editing ? `/board/${post.id}` : '/board', 'data-link': true, text: t('board.cancel') });
  const form = h('form', { class: 'form board-editor', novalidate: true },
    category.wrap, title.wrap, content.wrap, thumbField, box, h('div', { class: 'actions' }, submit, cancel));

  submitForm(form, {
    box,
    send: async () => {
      const body = { category: category.input.value, title: title.input.value, content: content.input.value };
      const saved = editing ? await api.patch(`/api/posts/${post.id}`, body) : await api.post('/api/posts', body);
      post = saved;
      const chosen = file.files && file.files[0];
      try {
        if (chosen) {
          const data = new FormData();
          data.append('file', chosen, chosen.name);
          await api.put(`/api/posts/${saved.id}/thumbnail`, data);
        } else if (remove.checked) {
          await api.del(`/api/posts/${saved.id}/thumbnail`);
        }
      } catch (error) {
        if (!editing) {
          // The post exists now: continue in its editor, with the upload's problem shown.
          flash(t('board.uploadFailed'), 'warn');
          navigate(`/board/${saved.id}/edit`, { replace: true });
          return;
        }
        if (!showFieldErrors(form, error)) showError(error, { box });
        return;
      }
      flash(t('board.saved'));
      navigate(`/board/${saved.id}`);
    },
  });
  main.append(form);
  title.input.focus();
}
