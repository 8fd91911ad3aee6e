// `/chat` with no room: type at once. A compact picker chooses the assistant (the naming
// assistant asks for a language and a convention); the first message makes the room
// (POST /api/rooms) and is then sent from the room's page. Assistants that answer from
// built-in knowledge only (no model configured) say so, and a note tells how to connect one.

import * as api from '../../api.js';
import { h, mount, field, errorBox } from '../../dom.js';
import { t, pick } from '../../i18n.js';
import { navigate } from '../../router.js';
import { saveDraft, loadDraft } from '../../drafts.js';
import { composer } from './composer.js';
import { sendWhenOpened } from './conversation.js';
import { namingSettings } from '../naming/naming.js';

const CONVENTIONS = ['camelCase', 'snake_case', 'PascalCase', 'kebab-case', 'SCREAMING_SNAKE_CASE'];
const DRAFT = 'new-chat';

/** The inputs for an assistant's room settings, drawn into `box`. */
function settingFields(box, assistant) {
  if (assistant.id === 'naming') return namingSettings(box, assistant);
  const inputs = assistant.settings.map((spec) => {
    const f = field({ id: `settings.${spec.name}`, label: pick(spec.label), required: spec.required, maxlength: spec.max_length });
    if (spec.name === 'convention') {
      const listId = 'convention-options';
      f.input.setAttribute('list', listId);
      f.wrap.append(h('datalist', { id: listId }, CONVENTIONS.map((c) => h('option', { value: c }))));
    }
    if (spec.name === 'language') f.input.placeholder = 'Python, TypeScript, Rust…';
    return { spec, ...f };
  });
  mount(box, inputs.map((s) => s.wrap));
  box.hidden = !inputs.length;
  return inputs;
}

function assistantChip(a, checked, onPick) {
  const id = `assistant-${a.id}`;
  const radio = h('input', { type: 'radio', name: 'assistant', id, value: a.id, checked, class: 'visually-hidden' });
  radio.addEventListener('change', onPick);
  return h('label', { class: 'assistant-chip', for: id }, radio,
    h('span', { text: pick(a.name) }),
    a.offline ? h('span', { class: 'chip-note', text: t('chat.offlineShort') }) : null);
}

/** How to connect a model, for the administrator (shown when an assistant is offline). */
export function modelHelp() {
  const vars = [
    ['CONFAB_LLM_PROVIDER', 'openai'],
    ['CONFAB_LLM_BASE_URL', 'https://api.openai.com/v1'],
    ['CONFAB_LLM_API_KEY', 'sk-…'],
    ['CONFAB_LLM_MODEL', 'gpt-4o-mini'],
  ];
  return h('details', { class: 'model-help' },
    h('summary', { text: t('chat.modelHelp.title') }),
    h('p', { text: t('chat.modelHelp.body') }),
    h('pre', {}, h('code', { text: vars.map(([k, v]) => `${k}=${v}`).join('\n') })),
    h('p', { class: 'muted', text: t('chat.modelHelp.more') }));
}

export function newChat(list) {
  const box = errorBox();
  const settingsBox = h('div', { class: 'settings-fields' });
  let selected = list.find((a) => a.id === 'general') || list.find((a) => a.id !== 'travel') || list[0];
  let settingInputs = settingFields(settingsBox, selected);
  const about = h('p', { class: 'assistant-about muted', id: 'assistant-about' });
  const showAbout = () => {
    about.textContent = [pick(selected.description), selected.offline ? t('chat.offlineNote') : ''].filter(Boolean).join(' ');
  };
  showAbout();
  const picker = h('fieldset', { class: 'assistant-picker', 'aria-describedby': 'assistant-about' },
    h('legend', { class: 'visually-hidden', text: t('chat.chooseAssistant') }),
    list.map((a) => assistantChip(a, a.id === selected.id, () => {
      selected = a;
      settingInputs = settingFields(settingsBox, a);
      showAbout();
    })));

  const input = composer({
    draftKey: DRAFT,
    box,
    placeholder: t('chat.newPlaceholder'),
    extra: [picker, about, settingsBox],
    onStop: () => {},
    async onSend(content) {
      const settings = {};
      for (const s of settingInputs) {
        const value = s.input.value.trim();
        if (value) settings[s.spec.name] = value;
      }
      const body = { assistant: selected.id };
      if (Object.keys(settings).length) body.settings = settings;
      // Refusals (a naming room without its language) show next to their fields.
      const room = await api.post('/api/rooms', body);
      // The message goes with the room: the room's page sends it as it opens, from its draft.
      saveDraft(`room.${room.id}`, content);
      saveDraft(DRAFT, '');
      input.input.value = '';
      sendWhenOpened(room.id);
      navigate(`/chat/${room.id}`);
    },
  });
  input.input.value = loadDraft(DRAFT);
  const offline = list.some((a) => a.offline);
  const el = h('div', { class: 'new-chat' },
    h('h1', { class: 'new-chat-title', text: t('chat.title') }),
    h('p', { class: 'muted', text: t('chat.lead') }),
    box, input.el,
    offline ? modelHelp() : null);
  return { el, focus: input.focus, destroy: input.destroy };
}
