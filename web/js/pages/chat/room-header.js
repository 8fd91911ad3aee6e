// A room's header: its title (the UI's own words while it has none), assistant and
// settings, and the rename, export and delete actions.

import * as api from '../../api.js';
import { h, busy, download } from '../../dom.js';
import { t, language, localTimeZone } from '../../i18n.js';
import { navigate } from '../../router.js';
import { saveDraft } from '../../drafts.js';
import { showError, flash, confirmDialog } from '../../ui.js';
import { assistantName, roomTitle } from './rooms.js';

function settingsText(room) {
  if (!room.settings || !Object.keys(room.settings).length) return '';
  return Object.entries(room.settings).map(([k, v]) => `${t(`chat.setting.${k}`)}: ${v}`).join(' · ');
}

function renameButton(state) {
  const button = h('button', { type: 'button', class: 'button button-ghost button-small', text: t('chat.rename') });
  button.addEventListener('click', async () => {
    const value = await confirmDialog({ title: t('chat.rename'), confirm: t('common.save'), input: { label: t('chat.roomTitle') } });
    if (value === null || !value.trim()) return;
    try {
      state.show(await api.patch(`/api/rooms/${state.room.id}`, { title: value.trim() }));
    } catch (error) {
      showError(error, { box: state.box });
    }
  });
  return button;
}

function exportButton(state, format) {
  const button = h('button', { type: 'button', class: 'button button-ghost button-small', text: t(`chat.export.${format}`) });
  button.addEventListener('click', () => busy(button, async () => {
    try {
      // The export speaks the UI's language and tells times in the reader's time zone.
      const params = new URLSearchParams({ format, lang: language() });
      const tz = localTimeZone();
      if (tz) params.set('tz', tz);
      const file = await api.blob(`/api/rooms/${state.room.id}/export?${params}`);
      const safe = roomTitle(state.room.title).replace(/[\\/:*?"<>|\u0000-\u001f]+/g, '_').slice(0, 80) || 'confab';
      download(file, `${safe}.${format}`);
    } catch (error) {
      showError(error, { box: state.box });
    }
  }));
  return button;
}

function deleteButton(state) {
  const button = h('button', { type: 'button', class: 'button button-ghost button-small danger-text', text: t('common.delete') });
  button.addEventListener('click', async () => {
    const { room } = state;
    if (!(await confirmDialog({ title: t('chat.deleteTitle'), body: t('chat.deleteBody', { title: roomTitle(room.title) }), confirm: t('common.delete'), danger: true }))) return;
    try {
      await api.del(`/api/rooms/${room.id}`);
      saveDraft(`room.${room.id}`, '');
      flash(t('chat.deleted'));
      navigate('/chat', { replace: true });
    } catch (error) {
      showError(error, { box: state.box });
    }
  });
  return button;
}

/**
 * The header of `room`; its errors go to `box`. Returns `{el, refresh}`: `refresh()` loads
 * the room again and shows the title the server gave it (and the sidebar's preview).
 */
export function roomHeader(room, list, box) {
  const titleEl = h('h1', { class: 'room-heading' });
  const state = { room, box };
  state.show = (next) => {
    state.room = next;
    const title = roomTitle(next.title);
    titleEl.textContent = title;
    document.title = `${title} · confab`;
    const link = document.querySelector(`.room-link[href="/chat/${next.id}"]`);
    if (!link) return;
    link.querySelector('.room-title').textContent = title;
    const preview = link.querySelector('.room-preview');
    if (preview && next.preview) preview.textContent = next.preview;
    else if (next.preview) link.append(h('span', { class: 'room-preview', text: next.preview }));
  };
  state.show(room);
  // The room's actions sit in a small menu so the messages keep the room on a phone.
  const menu = h('details', { class: 'room-menu' },
    h('summary', { class: 'button button-ghost button-small', text: t('chat.roomActions') }),
    h('div', { class: 'room-menu-items' }, renameButton(state), exportButton(state, 'md'), exportButton(state, 'json'), deleteButton(state)));
  menu.addEventListener('click', (event) => {
    if (event.target.closest('.room-menu-items button')) menu.open = false;
  });
  menu.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && menu.open) {
      menu.open = false;
      menu.querySelector('summary').focus();
    }
  });
  const el = h('div', { class: 'room-header' },
    h('a', { class: 'back-link', href: '/chat', 'data-link': true, text: t('chat.backToRooms') }),
    h('div', { class: 'room-header-main' },
      titleEl,
      h('p', { class: 'muted room-assistant' }, assistantName(list, room.assistant),
        settingsText(room) ? [' · ', h('span', { class: 'room-settings', text: settingsText(room) })] : null)),
    menu);
  async function refresh() {
    try {
      state.show(await api.get(`/api/rooms/${state.room.id}`));
    } catch {
      /* the old title stays; nothing is lost */
    }
  }
  return { el, refresh };
}
