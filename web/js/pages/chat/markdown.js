// Markdown on the client: an answer is rendered while it streams (marked, then DOMPurify,
// with the same limits as the server: no images, http/https/mailto links only), and the
// server's sanitised HTML replaces it when the answer ends. Code blocks, streamed or from
// the server, get syntax highlighting (highlight.js, its languages loaded on first use) and
// a copy button. The libraries are vendored ES modules (scripts/vendor), loaded same-origin.

import { marked } from '../../../vendor/marked.esm.js';
import DOMPurify from '../../../vendor/purify.es.mjs';
import { h } from '../../dom.js';
import { t } from '../../i18n.js';

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);

marked.setOptions({ gfm: true, breaks: false });
// As on the server: raw HTML in the text is shown as text, never interpreted.
marked.use({ renderer: { html: ({ text }) => escapeHtml(text) } });

// What the server's ammonia policy lets through, and no more.
const PURIFY = {
  FORBID_TAGS: ['img', 'style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'svg', 'math', 'video', 'audio', 'source', 'picture'],
  FORBID_ATTR: ['style', 'id', 'name'],
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
};

/** Links open in a new tab without handing over the page. */
function safeLinks(root) {
  for (const a of root.querySelectorAll('a')) {
    a.setAttribute('rel', 'noopener noreferrer nofollow');
    a.setAttribute('target', '_blank');
  }
}

/** Markdown → a sanitised DocumentFragment. */
export function markdownFragment(markdown) {
  const html = marked.parse(String(markdown || ''), { async: false });
  const fragment = DOMPurify.sanitize(html, { ...PURIFY, RETURN_DOM_FRAGMENT: true });
  safeLinks(fragment);
  return fragment;
}

/** Markdown as plain text (for previews and search excerpts that still carry its syntax). */
export function plainText(markdown) {
  const text = markdownFragment(markdown).textContent || '';
  return text.replace(/\s+/g, ' ').trim();
}

/** The fenced code blocks' languages in `markdown`, in order (`''` when a block has none). */
export function codeLanguages(markdown) {
  const langs = [];
  const walk = (tokens) => {
    for (const token of tokens || []) {
      if (token.type === 'code') langs.push(String(token.lang || '').trim().split(/\s+/)[0].toLowerCase());
      if (token.tokens) walk(token.tokens);
      if (token.items) walk(token.items);
    }
  };
  try {
    walk(marked.lexer(String(markdown || '')));
  } catch {
    /* no languages: the code stays plain */
  }
  return langs;
}

// ---- highlighting ----

const LANGUAGES = new Set(['bash', 'c', 'cpp', 'csharp', 'css', 'diff', 'go', 'java', 'javascript', 'json', 'kotlin', 'markdown', 'plaintext', 'python', 'rust', 'shell', 'sql', 'typescript', 'xml', 'yaml']);
const ALIASES = {
  js: 'javascript', jsx: 'javascript', mjs: 'javascript', node: 'javascript',
  ts: 'typescript', tsx: 'typescript',
  py: 'python', python3: 'python',
  sh: 'bash', zsh: 'bash', console: 'shell',
  html: 'xml', svg: 'xml',
  yml: 'yaml', rs: 'rust', kt: 'kotlin', kts: 'kotlin', 'c++': 'cpp', cc: 'cpp', h: 'c', hpp: 'cpp',
  cs: 'csharp', 'c#': 'csharp', golang: 'go', md: 'markdown', text: 'plaintext', txt: 'plaintext',
  patch: 'diff', postgresql: 'sql', mysql: 'sql', sqlite: 'sql',
};

let core = null;
const loading = new Map();

function languageName(lang) {
  const name = ALIASES[lang] || lang;
  return LANGUAGES.has(name) ? name : null;
}

/** highlight.js with `name` registered (loaded once), or null when it cannot load. */
async function highlighter(name) {
  if (!loading.has(name)) {
    loading.set(name, (async () => {
      if (!core) core = import('../../../vendor/highlight.core.min.js').then((m) => m.default);
      const [hljs, grammar] = await Promise.all([core, import(`../../../vendor/languages/${name}.min.js`)]);
      if (!hljs.getLanguage(name)) hljs.registerLanguage(name, grammar.default);
      return hljs;
    })().catch(() => null));
  }
  return loading.get(name);
}

/** Highlights one `<code>` (its text is re-rendered by highlight.js, which escapes it). */
async function highlight(code, lang) {
  const name = languageName(lang);
  if (!name || name === 'plaintext') return;
  const hljs = await highlighter(name);
  if (!hljs || !code.isConnected) return;
  const text = code.textContent;
  const html = hljs.highlight(text, { language: name, ignoreIllegals: true }).value;
  // highlight.js escapes the code and only adds <span class="hljs-…">: sanitise anyway.
  const clean = DOMPurify.sanitize(html, { ALLOWED_TAGS: ['span'], ALLOWED_ATTR: ['class'], RETURN_DOM_FRAGMENT: true });
  if (code.textContent !== text) return; // re-rendered meanwhile
  code.replaceChildren(clean);
  code.classList.add('hljs');
}

// ---- copying ----

/** Copies `text`: the Clipboard API, else a hidden textarea (plain-HTTP installs). */
export async function copyText(text) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    /* fall back below */
  }
  const area = h('textarea', { class: 'visually-hidden', readonly: true, 'aria-hidden': 'true' });
  area.value = text;
  document.body.append(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

/** A button that copies `getText()` and says so for two seconds. */
export function copyButton(label, getText, extraClass = '') {
  const button = h('button', { type: 'button', class: ['button button-ghost button-small copy-button', extraClass], text: label });
  let timer = null;
  button.addEventListener('click', async () => {
    const ok = await copyText(getText());
    button.textContent = ok ? t('chat.copied') : t('chat.copyFailed');
    button.dataset.copied = ok ? 'true' : 'false';
    clearTimeout(timer);
    timer = setTimeout(() => {
      button.textContent = label;
      delete button.dataset.copied;
    }, 2000);
  });
  return button;
}

/**
 * Gives each `pre > code` in `root` highlighting and a copy button. `langs` are the
 * fenced blocks' languages in order (from the Markdown), for HTML that lost its classes.
 */
export function enhanceCode(root, langs = []) {
  const blocks = [...root.querySelectorAll('pre > code')];
  blocks.forEach((code, i) => {
    const pre = code.parentElement;
    const fromClass = [...code.classList].find((c) => c.startsWith('language-'));
    const lang = (fromClass ? fromClass.slice('language-'.length) : langs[i] || '').toLowerCase();
    const wrap = h('div', { class: 'code-block' });
    pre.replaceWith(wrap);
    const bar = h('div', { class: 'code-bar' },
      h('span', { class: 'code-lang', text: lang || t('chat.code') }),
      copyButton(t('chat.copyCode'), () => code.textContent, 'code-copy'));
    wrap.append(bar, pre);
    pre.tabIndex = 0; // a wide block scrolls sideways by keyboard
    highlight(code, lang);
  });
}

/** Renders streamed Markdown into `body`, code blocks enhanced. */
export function renderStreaming(body, markdown) {
  body.replaceChildren(markdownFragment(markdown));
  enhanceCode(body, codeLanguages(markdown));
}
