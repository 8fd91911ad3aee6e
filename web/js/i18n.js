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
