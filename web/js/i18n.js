// Korean and English. The language comes from the saved choice, else the browser, else
// Korean. Shared strings live in locales/*.js and each app's in its own locale module
// (listed in apps.js), merged here once at start; dates and numbers go through Intl.

import ko from './locales/ko.js';
import en from './locales/en.js';
import { APPS } from './apps.js';

const CATALOGS = { ko: { ...ko }, en: { ...en } };

for (const app of APPS) {
  for (const [code, catalog] of Object.entries(CATALOGS)) {
    for (const [key, text] of Object.entries((app.locale && app.locale[code]) || {})) {
      // Two owners of one key would make one of them wrong, silently.
      if (Object.hasOwn(catalog, key)) console.warn(`i18n: the ${app.id} app redefines ${key}`);
      catalog[key] = text;
    }
  }
}

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

/** Whether `key` has a string (in the UI language or English). */
export function has(key) {
  return Object.hasOwn(CATALOGS[lang], key) || Object.hasOwn(CATALOGS.en, key);
}

/**
 * What is wrong with field `name`, in the UI language, from the API's stable `code`:
 * `field.<name>.<code>` where the field has its own words (limits differ by field), else
 * the generic `field.<code>`, else the server's own `message` as a last resort.
 */
export function fieldText(name, code, message) {
  if (code) {
    for (const key of [`field.${name}.${code}`, `field.${code}`]) if (has(key)) return t(key);
  }
  const text = String(message || '').trim();
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : t('error.validation_failed');
}

/** `[name, text]` for each field an ApiError names, in the UI language. */
export function fieldProblems(error) {
  const fields = (error && error.fields) || {};
  const codes = (error && error.fieldCodes) || {};
  const names = [...new Set([...Object.keys(fields), ...Object.keys(codes)])];
  return names.map((name) => [name, fieldText(name, codes[name], fields[name])]);
}

/** Picks the current language from a `{ko, en}` pair sent by the API. */
export function pick(pair) {
  if (!pair) return '';
  if (typeof pair === 'string') return pair;
  return pair[lang] ?? pair.en ?? pair.ko ?? '';
}

// Korean times read on the 24-hour clock ("0:00", never "오전 12:00" for midnight); English
// keeps "12:00 AM".
const clock = () => (lang === 'ko' ? { hourCycle: 'h23' } : {});

export function formatDateTime(value) {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return '';
  return new Intl.DateTimeFormat(lang === 'ko' ? 'ko-KR' : 'en', { dateStyle: 'medium', timeStyle: 'short', ...clock() }).format(date);
}

export function formatTime(value) {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return '';
  return new Intl.DateTimeFormat(lang === 'ko' ? 'ko-KR' : 'en', { hour: 'numeric', minute: '2-digit', ...clock() }).format(date);
}

export function formatDate(value) {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return '';
  return new Intl.DateTimeFormat(lang === 'ko' ? 'ko-KR' : 'en', { dateStyle: 'medium' }).format(date);
}

/** The browser's IANA time zone (e.g. "Asia/Seoul"), or '' when it cannot tell. */
export function localTimeZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || '';
  } catch {
    return '';
  }
}

/** A time zone as people say it: "한국 표준시 (GMT+9)" / "Korean Standard Time (GMT+9)". */
export function formatTimeZone(tz) {
  try {
    const locale = lang === 'ko' ? 'ko-KR' : 'en';
    const part = (style) => new Intl.DateTimeFormat(locale, { timeZone: tz, timeZoneName: style })
      .formatToParts(new Date()).find((p) => p.type === 'timeZoneName');
    const name = part('long');
    const offset = part('shortOffset');
    if (!name) return tz;
    return offset && offset.value !== name.value ? `${name.value} (${offset.value})` : name.value;
  } catch {
    return String(tz || ''); // not a zone this browser knows
  }
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
