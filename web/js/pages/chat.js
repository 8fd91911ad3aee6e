// Chat: the room list with search, new rooms for each assistant, and a conversation that
// streams answers as they arrive (stop cancels the upstream call; the partial answer is
// kept and marked incomplete). Drafts survive errors, reloads and sign-in.

import * as api from '../api.js';
import * as quota from '../quota.js';
import { h, mount, field, errorBox, setError, busy, clearFieldErrors, trustedHtml, download } from '../dom.js';
import { t, pick, formatDateTime } from '../i18n.js';
import { navigate, setBusy } from '../router.js';
import { loadDraft, saveDraft } from '../drafts.js';
import { pageHeader, showError, flash, confirmDialog, loadInto, errorText } from '../ui.js';

const CONVENTIONS = ['camelCase', 'snake_case', 'PascalCase', 'kebab-case', 'SCREAMING_SNAKE_CASE'];
let assistantsCache = null;

async function assistants() {
  if (!assistantsCache) assistantsCache = await api.get('/api/assistants', { auth: false });
  return assistantsCache;
}

function assistantName(list, id) {
  const a = list.find((x) => x.id === id);
  return a ? pick(a.name) : id;
}

// ---- sidebar: rooms, search, new room -------------------------------------------------

function roomItem(room, list, activeId) {
  return h('li', {},
    h('a', { class: ['room-link', room.id === activeId && 'is-active'], href: `/chat/${room.id}`, 'data-link': true, 'aria-current': room.id === activeId ? 'page' : null },
      h('span', { class: 'room-title', text: room.title }),
      h('span', { class: 'room-meta', text: `${assistantName(list, room.assistant)} · ${formatDateTime(room.last_activity_at)}` }),
      room.preview ? h('span', { class: 'room-preview', text: room.preview }) : null));
}

function sidebar(activeId, list) {
  const ul = h('ul', { class: 'room-list', 'aria-label': t('chat.rooms') });
  const more = h('button', { type: 'button', class: 'button button-ghost button-small', hidden: true, text: t('common.loadMore') });
  const box = errorBox();
  let cursor = null;
  async function load() {
    try {
      const page = await api.get(`/api/rooms?limit=30${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      if (!cursor && !page.items.length) ul.append(h('li', { class: 'muted', text: t('chat.noRooms') }));
      for (const room of page.items) ul.append(roomItem(room, list, activeId));
      cursor = page.next_cursor;
      more.hidden = !cursor;
    } catch (error) {
      showError(error, { box });
    }
  }
  more.addEventListener('click', () => busy(more, load));

  const results = h('ul', { class: 'search-results', 'aria-live': 'polite' });
  const q = h('input', { type: 'search', id: 'chat-search', name: 'q', placeholder: t('chat.searchPlaceholder'), maxlength: 200 });
  const searchForm = h('form', { class: 'search', role: 'search' },
    h('label', { for: 'chat-search', class: 'visually-hidden', text: t('chat.search') }), q,
    h('button', { type: 'submit', class: 'button button-small', text: t('chat.search') }));
  const moreHits = h('button', { type: 'button', class: 'button button-ghost button-small', hidden: true, text: t('common.loadMore') });
  let searchText = '';
  let searchCursor = null;
  async function searchPage() {
    try {
      const page = await api.get(`/api/search?q=${encodeURIComponent(searchText)}&limit=20${searchCursor ? `&cursor=${encodeURIComponent(searchCursor)}` : ''}`);
      if (!searchCursor && !page.items.length) results.append(h('li', { class: 'muted', text: t('chat.noResults') }));
      for (const hit of page.items) {
        results.append(h('li', {}, h('a', { href: `/chat/${hit.room_id}`, 'data-link': true, class: 'search-hit' },
          h('span', { class: 'room-title', text: hit.room_title }),
          h('span', { class: 'room-preview', text: hit.message.content.slice(0, 160) }))));
      }
      searchCursor = page.next_cursor;
      moreHits.hidden = !searchCursor;
    } catch (error) {
      results.append(h('li', { class: 'form-error', text: errorText(error) }));
    }
  }
  moreHits.addEventListener('click', () => busy(moreHits, searchPage));
  searchForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    searchText = q.value.trim();
    searchCursor = null;
    moreHits.hidden = true;
    results.replaceChildren();
    if (searchText) await searchPage();
  });

  load();
  return h('aside', { class: 'chat-sidebar', 'aria-label': t('chat.rooms') },
    h('a', { class: 'button button-wide', href: '/chat', 'data-link': true, text: t('chat.newRoom') }),
    searchForm, results, moreHits, box, ul, more);
}

function newRoomForm(list) {
  const box = errorBox();
  const choice = h('div', { class: 'assistant-choice', role: 'radiogroup', 'aria-labelledby': 'assistant-h' });
  const settingsBox = h('div', { class: 'settings-fields' });
  const title = field({ id: 'title', label: t('chat.roomTitle'), maxlength: 100, hint: t('chat.roomTitleHint') });
  let selected = list.find((a) => a.id !== 'travel') || list[0];
  let settingInputs = [];

  function drawSettings() {
    settingInputs = selected.settings.map((spec) => {
      const f = field({ id: `settings.${spec.name}`, label: pick(spec.label), required: spec.required, maxlength: spec.max_length });
      if (spec.name === 'convention') {
        const listId = 'convention-options';
        f.input.setAttribute('list', listId);
        f.wrap.append(h('datalist', { id: listId }, CONVENTIONS.map((c) => h('option', { value: c }))));
      }
      if (spec.name === 'language') f.input.placeholder = 'Python, TypeScript, Rust…';
      return { spec, ...f };
    });
    mount(settingsBox, settingInputs.map((s) => s.wrap));
  }
  for (const a of list) {
    const id = `assistant-${a.id}`;
    const radio = h('input', { type: 'radio', name: 'assistant', id, value: a.id, checked: a.id === selected.id });
    radio.addEventListener('change', () => {
      selected = a;
      drawSettings();
    });
    choice.append(h('label', { class: 'assistant-option', for: id }, radio,
      h('span', { class: 'assistant-name', text: pick(a.name) }),
      h('span', { class: 'assistant-desc', text: pick(a.description) })));
  }
  drawSettings();

  const submit = h('button', { type: 'submit', class: 'button', text: t('chat.create') });
  const form = h('form', { class: 'card form', novalidate: true },
    h('h2', { id: 'assistant-h', text: t('chat.chooseAssistant') }), box, choice, settingsBox, title.wrap, submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    setError(box, '');
    const settings = {};
    for (const s of settingInputs) {
      const value = s.input.value.trim();
      if (value) settings[s.spec.name] = value;
    }
    const body = { assistant: selected.id };
    if (title.input.value.trim()) body.title = title.input.value.trim();
    if (Object.keys(settings).length) body.settings = settings;
    await busy(submit, async () => {
      try {
        const room = await api.post('/api/rooms', body);
        navigate(`/chat/${room.id}`);
      } catch (error) {
        showError(error, { form, box });
      }
    });
  });
  return form;
}

// ---- conversation ---------------------------------------------------------------------

function statusBadge(status) {
  if (status === 'incomplete') return h('span', { class: 'badge badge-warn', text: t('chat.incomplete') });
  if (status === 'failed') return h('span', { class: 'badge badge-error', text: t('chat.failed') });
  return null;
}

function messageEl(msg) {
  const body = h('div', { class: 'message-body' });
  if (msg.role === 'assistant' && msg.html) trustedHtml(body, msg.html); // server-sanitised Markdown
  else if (msg.role === 'assistant' && msg.status === 'failed' && !msg.content) body.textContent = t('chat.noAnswer');
  else {
    body.classList.add('plain');
    body.textContent = msg.content;
  }
  return h('article', { class: ['message', `message-${msg.role}`, msg.status !== 'complete' && `is-${msg.status}`], dataset: { id: msg.id } },
    h('header', { class: 'message-head' },
      h('span', { class: 'message-role', text: msg.role === 'user' ? t('chat.you') : t('chat.assistant') }),
      h('time', { datetime: msg.created_at, text: formatDateTime(msg.created_at) }),
      statusBadge(msg.status)),
    body);
}

async function conversation(roomId, list) {
  let room;
  try {
    room = await api.get(`/api/rooms/${encodeURIComponent(roomId)}`);
  } catch (error) {
    if (error.status === 404) return h('div', { class: 'chat-main' }, pageHeader(t('chat.notFound')), h('p', { text: t('chat.notFoundBody') }));
    const box = errorBox();
    showError(error, { box });
    return h('div', { class: 'chat-main' }, box);
  }
  const titleEl = h('h1', { class: 'room-heading', text: room.title });
  document.title = `${room.title} · confab`;
  const log = h('div', { class: 'messages', role: 'log', 'aria-live': 'polite', 'aria-label': t('chat.messages') });
  const older = h('button', { type: 'button', class: 'button button-ghost button-small', hidden: true, text: t('chat.older') });
  const box = errorBox();
  let olderCursor = null;

  async function loadLatest() {
    const page = await api.get(`/api/rooms/${room.id}/messages?limit=50`);
    log.replaceChildren(...page.items.map(messageEl));
    if (!page.items.length) log.append(h('p', { class: 'muted empty-log', text: t('chat.startHint', { assistant: assistantName(list, room.assistant) }) }));
    olderCursor = page.next_cursor;
    older.hidden = !olderCursor;
    log.scrollTop = log.scrollHeight;
  }
  older.addEventListener('click', () => busy(older, async () => {
    try {
      const page = await api.get(`/api/rooms/${room.id}/messages?limit=50&cursor=${encodeURIComponent(olderCursor)}`);
      const height = log.scrollHeight;
      log.prepend(...page.items.map(messageEl));
      log.scrollTop = log.scrollHeight - height;
      olderCursor = page.next_cursor;
      older.hidden = !olderCursor;
    } catch (error) {
      showError(error, { box });
    }
  }));

  // Composer.
  const input = h('textarea', { id: 'message', name: 'content', rows: 3, maxlength: 10000, placeholder: t('chat.placeholder') });
  input.value = loadDraft(`room.${room.id}`);
  input.addEventListener('input', () => saveDraft(`room.${room.id}`, input.value));
  const send = h('button', { type: 'submit', class: 'button', text: t('chat.send') });
  const stop = h('button', { type: 'button', class: 'button button-danger', hidden: true, text: t('chat.stop') });
  const composer = h('form', { class: 'composer', novalidate: true },
    h('label', { for: 'message', class: 'visually-hidden', text: t('chat.message') }), input,
    h('div', { class: 'composer-actions' }, h('span', { class: 'muted composer-hint', text: t('chat.enterHint') }), stop, send));
  let controller = null;

  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      composer.requestSubmit();
    }
  });
  stop.addEventListener('click', () => {
    if (controller) controller.abort();
  });

  composer.addEventListener('submit', async (event) => {
    event.preventDefault();
    const content = input.value.trim();
    if (!content || controller) return;
    setError(box, '');
    // The server names the room after its first message.
    const firstMessage = !log.querySelector('.message[data-id]:not([data-id=""])');
    const empty = log.querySelector('.empty-log');
    if (empty) empty.remove();
    const pendingUser = messageEl({ id: '', role: 'user', content, status: 'complete', created_at: new Date().toISOString() });
    pendingUser.classList.add('is-pending');
    const answerBody = h('div', { class: 'message-body plain streaming' });
    const answerHead = h('header', { class: 'message-head' }, h('span', { class: 'message-role', text: t('chat.assistant') }), h('span', { class: 'typing', text: t('chat.thinking') }));
    const answer = h('article', { class: 'message message-assistant is-streaming', 'aria-busy': 'true' }, answerHead, answerBody);
    log.append(pendingUser, answer);
    log.scrollTop = log.scrollHeight;

    controller = new AbortController();
    send.disabled = true;
    stop.hidden = false;
    let accepted = false;
    let finished = false;
    let interrupted = false;
    let text = '';
    try {
      await api.stream(`/api/rooms/${room.id}/messages`, { content }, {
        signal: controller.signal,
        onEvent(name, data) {
          if (name === 'user_message') {
            accepted = true;
            input.value = '';
            saveDraft(`room.${room.id}`, '');
            pendingUser.replaceWith(messageEl(data));
          } else if (name === 'delta') {
            text += data.text || '';
            answerBody.textContent = text;
            log.scrollTop = log.scrollHeight;
          } else if (name === 'done') {
            finished = true;
            answer.replaceWith(messageEl(data.message));
          } else if (name === 'error') {
            finished = true;
            answerBody.classList.remove('streaming');
            answer.classList.remove('is-streaming');
            answer.classList.add(text ? 'is-incomplete' : 'is-failed');
            answerHead.replaceChildren(h('span', { class: 'message-role', text: t('chat.assistant') }), statusBadge(text ? 'incomplete' : 'failed'));
            if (text) {
              setError(box, t('chat.streamCut'));
            } else {
              if (!input.value.trim()) {
                // Nothing came back (and nothing was counted): give the text back to retry.
                input.value = content;
                saveDraft(`room.${room.id}`, content);
              }
              answerBody.textContent = t('chat.noAnswer');
              setError(box, errorText({ code: data.code, message: data.message, status: 502 }));
            }
          } else if (name === 'json' && data && data.assistant_message) {
            accepted = true;
            finished = true;
            input.value = '';
            saveDraft(`room.${room.id}`, '');
            pendingUser.replaceWith(messageEl(data.user_message));
            answer.replaceWith(messageEl(data.assistant_message));
          }
        },
      });
      if (!finished) {
        answer.classList.add('is-incomplete');
        setError(box, t('chat.cutOff'));
      }
    } catch (error) {
      answerBody.classList.remove('streaming');
      answer.classList.remove('is-streaming');
      if (error.name === 'AbortError' || (accepted && error.status === 0)) {
        // Stopped, or the connection dropped mid-answer: keep what arrived; the server
        // stores it as incomplete and the reload below shows its copy.
        answer.classList.add('is-incomplete');
        answerHead.replaceChildren(h('span', { class: 'message-role', text: t('chat.assistant') }), statusBadge('incomplete'));
        if (!text) answerBody.textContent = t('chat.stoppedEmpty');
        if (error.name !== 'AbortError') setError(box, t('chat.cutOff'));
        if (!accepted) {
          pendingUser.remove();
          answer.remove();
        }
      } else {
        pendingUser.remove();
        answer.remove();
        showError(error, { box });
      }
      interrupted = true;
    } finally {
      answer.removeAttribute('aria-busy');
      controller = null;
      send.disabled = false;
      stop.hidden = true;
      // The response's RateLimit headers already updated the badge; an answer that never
      // produced text was refunded after them, so only then ask again.
      if (accepted && !text) quota.reload();
      input.focus();
    }
    if (interrupted || (accepted && !finished)) {
      // The server stores what it had when it notices the disconnect (the message too, if
      // it got that far before the stop); show its copy.
      setTimeout(() => loadLatest().catch(() => {}), 700);
    }
    if (accepted && firstMessage) refreshTitle();
  });

  // Shows the name the server gave the room (and the sidebar's preview).
  async function refreshTitle() {
    try {
      const fresh = await api.get(`/api/rooms/${room.id}`);
      room = fresh;
      titleEl.textContent = room.title;
      document.title = `${room.title} · confab`;
      const link = document.querySelector(`.room-link[href="/chat/${room.id}"]`);
      if (link) {
        link.querySelector('.room-title').textContent = room.title;
        const preview = link.querySelector('.room-preview');
        if (preview && room.preview) preview.textContent = room.preview;
        else if (room.preview) link.append(h('span', { class: 'room-preview', text: room.preview }));
      }
    } catch {
      /* the old title stays; nothing is lost */
    }
  }

  const rename = h('button', { type: 'button', class: 'button button-ghost button-small', text: t('chat.rename') });
  rename.addEventListener('click', async () => {
    const value = await confirmDialog({ title: t('chat.rename'), confirm: t('common.save'), input: { label: t('chat.roomTitle') } });
    if (value === null || !value.trim()) return;
    try {
      room = await api.patch(`/api/rooms/${room.id}`, { title: value.trim() });
      titleEl.textContent = room.title;
      document.title = `${room.title} · confab`;
      const link = document.querySelector(`.room-link[href="/chat/${room.id}"] .room-title`);
      if (link) link.textContent = room.title;
    } catch (error) {
      showError(error, { box });
    }
  });
  const remove = h('button', { type: 'button', class: 'button button-ghost button-small danger-text', text: t('common.delete') });
  remove.addEventListener('click', async () => {
    if (!(await confirmDialog({ title: t('chat.deleteTitle'), body: t('chat.deleteBody', { title: room.title }), confirm: t('common.delete'), danger: true }))) return;
    try {
      await api.del(`/api/rooms/${room.id}`);
      saveDraft(`room.${room.id}`, '');
      flash(t('chat.deleted'));
      navigate('/chat', { replace: true });
    } catch (error) {
      showError(error, { box });
    }
  });
  const exportButton = (format) => {
    const b = h('button', { type: 'button', class: 'button button-ghost button-small', text: t(`chat.export.${format}`) });
    b.addEventListener('click', () => busy(b, async () => {
      try {
        const file = await api.blob(`/api/rooms/${room.id}/export?format=${format}`);
        const safe = room.title.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, '_').slice(0, 80) || 'confab';
        download(file, `${safe}.${format}`);
      } catch (error) {
        showError(error, { box });
      }
    }));
    return b;
  };

  const settings = room.settings && Object.keys(room.settings).length
    ? h('p', { class: 'muted room-settings', text: Object.entries(room.settings).map(([k, v]) => `${t(`chat.setting.${k}`)}: ${v}`).join(' · ') })
    : null;
  const main = h('div', { class: 'chat-main' },
    h('div', { class: 'room-header' },
      h('a', { class: 'back-link', href: '/chat', 'data-link': true, text: t('chat.backToRooms') }),
      titleEl,
      h('p', { class: 'muted', text: assistantName(list, room.assistant) }),
      settings,
      h('div', { class: 'toolbar' }, rename, exportButton('md'), exportButton('json'), remove)),
    older, log, box, composer);
  try {
    await loadLatest();
  } catch (error) {
    showError(error, { box });
  }
  return { el: main, focus: () => input.focus(), abort: () => controller && controller.abort(), busy: () => Boolean(controller) };
}

export async function render(main, params) {
  quota.setScope('chat');
  const list = await loadInto(main, assistants());
  if (!list) return undefined;
  const layout = h('div', { class: ['chat-layout', params.id ? 'has-room' : 'no-room'] });
  main.append(layout);
  if (!params.id) {
    layout.append(sidebar(null, list), h('div', { class: 'chat-main' }, pageHeader(t('chat.title')), h('p', { class: 'muted', text: t('chat.lead') }), newRoomForm(list)));
    return undefined;
  }
  const convo = await conversation(params.id, list);
  if (convo instanceof Node) {
    layout.append(sidebar(params.id, list), convo);
    return undefined;
  }
  layout.append(sidebar(params.id, list), convo.el);
  setBusy(convo.busy);
  const log = convo.el.querySelector('.messages');
  if (log) log.scrollTop = log.scrollHeight;
  return () => convo.abort();
}

