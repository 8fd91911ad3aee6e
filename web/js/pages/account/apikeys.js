// Personal API keys on the profile page: make one (its secret shown once, to copy), list
// and revoke them, and examples (curl, Python) pointed at this server's `/v1`.

import * as api from '../../api.js';
import { h, field, errorBox, setError, busy } from '../../dom.js';
import { t, formatDateTime } from '../../i18n.js';
import { showError, flash, confirmDialog, submitForm } from '../../ui.js';

/** Where OpenAI clients send requests: the API's origin (or this page's) and `/v1`. */
export function baseUrl() {
  return `${api.apiBase() || window.location.origin}/v1`;
}

export function curlExample(base) {
  return [
    `curl ${base}/chat/completions \\`,
    '  -H "Authorization: Bearer $CONFAB_API_KEY" \\',
    '  -H "Content-Type: application/json" \\',
    `  -d '{"model": "confab-general", "messages": [{"role": "user", "content": "Hello"}]}'`,
  ].join('\n');
}

export function pythonExample(base) {
  return [
    'import os',
    'from openai import OpenAI',
    '',
    `client = OpenAI(base_url="${base}", api_key=os.environ["CONFAB_API_KEY"])`,
    'reply = client.chat.completions.create(',
    '    model="confab-general",',
    '    messages=[{"role": "user", "content": "Hello"}],',
    ')',
    'print(reply.choices[0].message.content)',
  ].join('\n');
}

function copyButton(text) {
  const button = h('button', { type: 'button', class: 'button button-small', 'data-copy': '', text: t('apikeys.copy') });
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = t('apikeys.copied');
    } catch {
      flash(t('apikeys.copyFailed'), 'warn');
    }
  });
  return button;
}

/** The secret of a key just made: shown here once, never again. */
function secretPanel(created) {
  const input = h('input', { type: 'text', readonly: true, class: 'apikey-secret', 'aria-label': t('apikeys.secretLabel', { name: created.name }) });
  input.value = created.secret;
  input.addEventListener('focus', () => input.select());
  return h('div', { class: 'apikey-new', role: 'status', 'data-new-key': created.id },
    h('p', {}, h('strong', { text: t('apikeys.onceTitle') }), ' ', t('apikeys.onceBody')),
    h('div', { class: 'apikey-row' }, input, copyButton(created.secret)));
}

function keyItem(key, onRevoke) {
  const revoke = h('button', { type: 'button', class: 'button button-ghost button-small', 'data-revoke': key.id, text: t('apikeys.revoke') });
  revoke.addEventListener('click', () => onRevoke(key, revoke));
  const used = key.last_used_at ? formatDateTime(key.last_used_at) : t('apikeys.neverUsed');
  return h('li', { class: 'apikey', 'data-key': key.id },
    h('span', { class: 'apikey-text' },
      h('strong', { text: key.name }),
      h('code', { text: `${key.prefix}…` }),
      h('span', { class: 'muted', text: t('apikeys.meta', { created: formatDateTime(key.created_at), used }) })),
    revoke);
}

function examples() {
  const base = baseUrl();
  const block = (title, code) => h('div', { class: 'apikey-example' },
    h('div', { class: 'apikey-row' }, h('h3', { text: title }), copyButton(code)),
    h('pre', {}, h('code', { text: code })));
  return h('details', { class: 'apikey-examples' },
    h('summary', { text: t('apikeys.examples') }),
    h('p', { class: 'muted', text: t('apikeys.examplesNote', { base }) }),
    block('curl', curlExample(base)),
    block('Python', pythonExample(base)));
}

/** The card: intro, the form to make a key, the new secret, the list, the examples. */
export async function apiKeysCard() {
  const box = errorBox();
  const list = h('ul', { class: 'apikey-list', 'aria-labelledby': 'apikeys-h' });
  const fresh = h('div', {});
  const empty = h('p', { class: 'muted', text: t('apikeys.none') });
  const name = field({ id: 'name', label: t('apikeys.name'), maxlength: 60, required: true, hint: t('apikeys.nameHint') });
  const make = h('button', { type: 'submit', class: 'button', text: t('apikeys.create') });
  const form = h('form', { class: 'form', novalidate: true }, name.wrap, make);

  let keys = [];
  const draw = () => {
    list.replaceChildren(...keys.map((k) => keyItem(k, revoke)));
    empty.hidden = keys.length > 0;
  };
  const revoke = async (key, button) => {
    setError(box, '');
    const ok = await confirmDialog({
      title: t('apikeys.revokeTitle'),
      body: t('apikeys.revokeBody', { name: key.name }),
      confirm: t('apikeys.revoke'),
      danger: true,
    });
    if (!ok) return;
    await busy(button, async () => {
      try {
        await api.del(`/api/me/api-keys/${key.id}`);
      } catch (error) {
        if (error.status !== 404) {
          showError(error, { box });
          return;
        }
      }
      keys = keys.filter((k) => k.id !== key.id);
      if (fresh.firstChild && fresh.firstChild.dataset.newKey === key.id) fresh.replaceChildren();
      draw();
      flash(t('apikeys.revoked', { name: key.name }));
    });
  };
  submitForm(form, {
    box,
    async send() {
      const created = await api.post('/api/me/api-keys', { name: name.input.value.trim() });
      name.input.value = '';
      const { secret, ...shown } = created;
      keys = [shown, ...keys];
      draw();
      fresh.replaceChildren(secretPanel({ ...shown, secret }));
      fresh.querySelector('input').focus();
    },
  });

  try {
    keys = (await api.get('/api/me/api-keys')).items || [];
  } catch (error) {
    showError(error, { box });
  }
  draw();
  return h('section', { class: 'card', 'aria-labelledby': 'apikeys-h', id: 'api-keys' },
    h('h2', { id: 'apikeys-h', text: t('apikeys.title') }),
    h('p', { class: 'muted', text: t('apikeys.intro') }),
    box, form, fresh, list, empty, examples());
}
