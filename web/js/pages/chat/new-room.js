// A new room: pick an assistant, fill in its settings (the naming assistant asks for a
// language and a convention) and, if you like, a title.

import * as api from '../../api.js';
import { h, mount, field, errorBox } from '../../dom.js';
import { t, pick } from '../../i18n.js';
import { navigate } from '../../router.js';
import { submitForm } from '../../ui.js';

const CONVENTIONS = ['camelCase', 'snake_case', 'PascalCase', 'kebab-case', 'SCREAMING_SNAKE_CASE'];

/** The inputs for an assistant's room settings, drawn into `box`. */
function settingFields(box, assistant) {
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
  return inputs;
}

function assistantOption(a, checked, onPick) {
  const id = `assistant-${a.id}`;
  const radio = h('input', { type: 'radio', name: 'assistant', id, value: a.id, checked });
  radio.addEventListener('change', onPick);
  return h('label', { class: 'assistant-option', for: id }, radio,
    h('span', { class: 'assistant-name', text: pick(a.name) }),
    h('span', { class: 'assistant-desc', text: pick(a.description) }));
}

export function newRoomForm(list) {
  const box = errorBox();
  const settingsBox = h('div', { class: 'settings-fields' });
  const title = field({ id: 'title', label: t('chat.roomTitle'), maxlength: 100, hint: t('chat.roomTitleHint') });
  let selected = list.find((a) => a.id !== 'travel') || list[0];
  let settingInputs = settingFields(settingsBox, selected);
  const choice = h('div', { class: 'assistant-choice', role: 'radiogroup', 'aria-labelledby': 'assistant-h' },
    list.map((a) => assistantOption(a, a.id === selected.id, () => {
      selected = a;
      settingInputs = settingFields(settingsBox, a);
    })));
  const submit = h('button', { type: 'submit', class: 'button', text: t('chat.create') });
  const form = h('form', { class: 'card form', novalidate: true },
    h('h2', { id: 'assistant-h', text: t('chat.chooseAssistant') }), box, choice, settingsBox, title.wrap, submit);
  submitForm(form, {
    box,
    async send() {
      const settings = {};
      for (const s of settingInputs) {
        const value = s.input.value.trim();
        if (value) settings[s.spec.name] = value;
      }
      const body = { assistant: selected.id };
      if (title.input.value.trim()) body.title = title.input.value.trim();
      if (Object.keys(settings).length) body.settings = settings;
      const room = await api.post('/api/rooms', body);
      navigate(`/chat/${room.id}`);
    },
  });
  return form;
}
