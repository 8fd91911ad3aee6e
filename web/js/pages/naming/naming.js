// The naming assistant in the chat: its start form (the language from a list or typed,
// the convention from that language's usual ones) and its answers' names as chips that
// copy on a tap. The server writes every naming answer as a numbered list whose items
// start with the name in code (`1. `name` — reason`), offline or from a model; the chips
// are read from that list.

import { h, field } from '../../dom.js';
import { t } from '../../i18n.js';
import { copyText } from '../chat/markdown.js';

const OTHER = '__other__';

/** The languages offered, each with its usual conventions (the first is its idiom). */
const LANGUAGES = [
  ['Python', ['snake_case', 'camelCase']],
  ['JavaScript', ['camelCase', 'snake_case']],
  ['TypeScript', ['camelCase', 'snake_case']],
  ['Java', ['camelCase', 'snake_case']],
  ['Kotlin', ['camelCase', 'snake_case']],
  ['Go', ['camelCase', 'PascalCase']],
  ['Rust', ['snake_case']],
  ['C#', ['PascalCase', 'camelCase']],
  ['C++', ['snake_case', 'camelCase', 'PascalCase']],
  ['C', ['snake_case', 'camelCase']],
  ['Swift', ['camelCase']],
  ['Dart', ['camelCase']],
  ['Ruby', ['snake_case']],
  ['PHP', ['camelCase', 'snake_case']],
  ['SQL', ['snake_case', 'SCREAMING_SNAKE_CASE']],
  ['CSS', ['kebab-case']],
];
const ALL = ['camelCase', 'snake_case', 'PascalCase', 'kebab-case', 'SCREAMING_SNAKE_CASE'];

function conventionsOf(language) {
  const known = LANGUAGES.find(([name]) => name === language);
  return known ? known[1] : ALL;
}

/**
 * The naming room's settings drawn into `box`: `[{spec, input}]` as the new-chat form
 * reads them (`input.value`). The language select names `settings.language`, so the
 * server's refusal shows next to it.
 */
export function namingSettings(box, assistant) {
  const spec = (name) => assistant.settings.find((s) => s.name === name) || { name, max_length: 100 };
  const language = field({
    id: 'settings.language',
    label: t('naming.language'),
    required: true,
    options: [
      { value: '', label: t('naming.languagePick') },
      ...LANGUAGES.map(([name]) => ({ value: name, label: name })),
      { value: OTHER, label: t('naming.languageOther') },
    ],
  });
  const other = field({ id: 'naming-language-other', label: t('naming.languageOtherLabel'), maxlength: spec('language').max_length, hint: t('naming.languageOtherHint') });
  other.wrap.hidden = true;
  const convention = field({ id: 'settings.convention', label: t('naming.convention'), hint: t('naming.conventionHint'), options: [] });

  const fillConventions = () => {
    const keep = convention.input.value;
    const list = language.input.value === OTHER ? ALL : conventionsOf(language.input.value);
    convention.input.replaceChildren(
      h('option', { value: '', text: t('naming.conventionIdiom') }),
      ...list.map((c) => h('option', { value: c, text: c })),
    );
    convention.input.value = list.includes(keep) ? keep : '';
  };
  language.input.addEventListener('change', () => {
    other.wrap.hidden = language.input.value !== OTHER;
    if (!other.wrap.hidden) other.input.focus();
    fillConventions();
  });
  fillConventions();
  box.replaceChildren(language.wrap, other.wrap, convention.wrap);
  box.hidden = false;
  return [
    {
      spec: spec('language'),
      input: { get value() { return language.input.value === OTHER ? other.input.value : language.input.value; } },
    },
    { spec: spec('convention'), input: convention.input },
  ];
}

/** The names of a naming answer's list (at most five), in order. */
function namesIn(body) {
  const names = [];
  for (const li of body.querySelectorAll('ol > li')) {
    const code = li.querySelector('code');
    if (!code || li.firstElementChild !== code || !li.textContent.trimStart().startsWith(code.textContent)) continue;
    const name = code.textContent.trim();
    if (name && !names.includes(name)) names.push(name);
    if (names.length === 5) break;
  }
  return names;
}

/** Adds copyable chips for the names of a naming answer's article (when it lists any). */
export function addNameChips(article) {
  const body = article.querySelector('.message-body');
  if (!body || article.querySelector('.naming-chips')) return;
  const names = namesIn(body);
  if (!names.length) return;
  const status = h('p', { class: 'visually-hidden', 'aria-live': 'polite' });
  const chips = names.map((name, i) => {
    const state = h('span', { class: 'naming-chip-state', 'aria-hidden': 'true', text: i === 0 ? '★' : '' });
    const chip = h('button', { type: 'button', class: ['naming-chip', i === 0 && 'is-best'], dataset: { name }, 'aria-label': t('naming.copy', { name }) },
      h('code', { text: name }), state);
    let timer = null;
    chip.addEventListener('click', async () => {
      const ok = await copyText(name);
      for (const other of chips) other.classList.remove('is-copied');
      chip.classList.toggle('is-copied', ok);
      chip.dataset.copied = ok ? 'true' : 'false';
      state.textContent = ok ? '✓' : '!';
      status.textContent = ok ? t('naming.copiedName', { name }) : t('naming.copyFailed');
      clearTimeout(timer);
      timer = setTimeout(() => {
        state.textContent = i === 0 ? '★' : '';
        delete chip.dataset.copied;
        chip.classList.remove('is-copied');
      }, 2000);
    });
    return chip;
  });
  const group = h('div', { class: 'naming-chips', role: 'group', 'aria-label': t('naming.chips') },
    h('span', { class: 'naming-chips-label', text: t('naming.chips') }), ...chips, status);
  body.after(group);
}
