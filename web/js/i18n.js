// Korean and English. The language comes from the saved choice, else the browser, else
// Korean; every string lives in locales/*.js; dates and numbers go through Intl.

import ko from './locales/ko.js';
import en from './locales/en.js';

const CATALOGS = { ko, en };
const LANG_KEY = 'confab.lang';

export const events = new EventTarget();

function detect() {
  try {
    const saved = localStorage.getItem(LANG_KEY);
    if (saved && CATALOGS[saved]) return saved;
  } catch {
    /* storage may be disabled */
  }
  for (const tag of navigator.languages || [navigator.language || '']) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (CATALOGS[base]) return base;
  }
  return 'ko';
}

let lang = detect();

export function language() {
  return lang;
}

export function setLanguage(next) {
  if (!CATALOGS[next] || next === lang) return;
  lang = next;
  try {
    localStorage.setItem(LANG_KEY, next);
  } catch {
    /* not remembered, still switched */
  }
  document.documentElement.lang = next;
  events.dispatchEvent(new CustomEvent('change', { detail: next }));
}

/** The string for `key` with `{name}` slots filled from `vars`. */
export function t(key, vars = {}) {
  const text = CATALOGS[lang][key] ?? CATALOGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

const FIELD_MESSAGES = [
  [/^is required$/, 'field.required'],
  [/^must not be empty$/, 'field.required'],
  [/^is not a valid email address$/, 'field.email'],
  [/^must be at most (\d+) characters$/, 'field.max'],
  [/^must be at least (\d+) characters$/, 'field.min'],
  [/^must be (\d+) to (\d+) characters$/, 'field.range'],
  [/^may contain only letters, digits/, 'field.usernameChars'],
  [/^passwords do not match$/, 'field.mismatch'],
  [/^an account with this email already exists$/, 'field.emailTaken'],
  [/^this username is taken$/, 'field.usernameTaken'],
  [/^must not be entirely numeric$/, 'field.numeric'],
  [/^is too common$/, 'field.common'],
  [/^is too similar to your email or username$/, 'field.similar'],
  [/^is incorrect$/, 'field.incorrect'],
  [/^type your username to confirm$/, 'field.confirm'],
];

/**
 * A server field message ("password must be at least 8 characters; is too common") in the
 * UI language; parts it does not know stay as the server wrote them.
 */
export function fieldText(message) {
  const text = String(message || '').replace(/^password /, '');
  return text.split('; ').map((part) => {
    for (const [pattern, key] of FIELD_MESSAGES) {
      const m = pattern.exec(part);
      if (m) return t(key, { a: m[1], b: m[2] });
    }
    return part.charAt(0).toUpperCase() + part.slice(1);
  }).join(' · ');
}

/** Picks the current language from a `{ko, en}` pair sent by the API. */
export function pick(pair) {
  if (!pair) return '';
  if (typeof pair === 'string') return pair;
  return pair[lang] ?? pair.en ?? pair.ko ?? '';
}

export function formatDateTime(value) {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return '';
  return new Intl.DateTimeFormat(lang === 'ko' ? 'ko-KR' : 'en', { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

export function formatTime(value) {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return '';
  return new Intl.DateTimeFormat(lang === 'ko' ? 'ko-KR' : 'en', { hour: 'numeric', minute: '2-digit' }).format(date);
}

export function formatNumber(value, digits = 0) {
  return new Intl.NumberFormat(lang === 'ko' ? 'ko-KR' : 'en', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}

/** "in 3 hours" / "3시간 후" for a future time. */
export function formatRelative(value) {
  const date = value instanceof Date ? value : new Date(value);
  const secs = Math.round((date.getTime() - Date.now()) / 1000);
  const rtf = new Intl.RelativeTimeFormat(lang === 'ko' ? 'ko-KR' : 'en', { numeric: 'auto' });
  const abs = Math.abs(secs);
  if (abs < 60) return rtf.format(secs, 'second');
  if (abs < 3600) return rtf.format(Math.round(secs / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(secs / 3600), 'hour');
  return rtf.format(Math.round(secs / 86400), 'day');
}

document.documentElement.lang = lang;
