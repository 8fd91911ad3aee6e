// The API client: fetch with the confab error envelope, the access token kept in memory
// only, and silent refresh through the HttpOnly refresh cookie (`X-Confab-Client: web`).
//
// Refresh tokens rotate on every use and a reused one ends the whole session, so refreshes
// are single-flight inside a tab and serialised across tabs with the Web Locks API: a second
// tab always presents the cookie the first one just received.

import { clearDrafts } from './drafts.js';

const API_BASE_KEY = 'confab.apiBase';

/** Events: `auth` (detail: user or null), `quota` (detail: {limit, remaining, reset}),
 * `session-ended` (detail: {reason}). */
export const events = new EventTarget();

let accessToken = null;
let accessExpiresAt = 0;
let currentUser = null;
let refreshing = null;
let refreshTimer = null;

/** An error answer from the API, or a network failure (`status` 0). */
export class ApiError extends Error {
  constructor(status, body, headers) {
    const err = (body && body.error) || {};
    super(err.message || (status ? `HTTP ${status}` : 'network error'));
    this.status = status;
    this.code = err.code || (status ? 'http_error' : 'network_error');
    this.fields = err.fields || null;
    /** Field name → stable problem code (`too_short`, `taken`, …), when the server sends them. */
    this.fieldCodes = err.field_codes || null;
    this.details = err;
    const retry = headers ? Number(headers.get('retry-after')) : NaN;
    this.retryAfter = Number.isFinite(retry) ? retry : null;
  }
}

/** Where the API lives: the UI setting, else the page's meta tag, else this origin. */
export function apiBase() {
  let stored = '';
  try {
    stored = localStorage.getItem(API_BASE_KEY) || '';
  } catch {
    stored = '';
  }
  const meta = document.querySelector('meta[name="confab-api-base"]');
  return (stored || (meta && meta.content) || '').replace(/\/+$/, '');
}

/** An API base as stored: '' (same origin) or an http(s) origin and path. Throws on others. */
export function normalizeApiBase(value) {
  const trimmed = String(value || '').trim();
  if (!trimmed) return '';
  const url = new URL(trimmed);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('http or https only');
  return url.origin + url.pathname.replace(/\/+$/, '');
}

/** Whether a confab server answers `/healthz` at `base`. */
export async function reachable(base) {
  try {
    const res = await fetch(`${base}/healthz`, { credentials: 'omit', signal: timeoutSignal(10_000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** Changes the API base (empty: same origin). */
export function setApiBase(value) {
  const normalized = normalizeApiBase(value);
  if (normalized) localStorage.setItem(API_BASE_KEY, normalized);
  else localStorage.removeItem(API_BASE_KEY);
}

export function user() {
  return currentUser;
}

function setSession(tokens) {
  accessToken = tokens.access_token;
  accessExpiresAt = Date.now() + (Number(tokens.expires_in) || 900) * 1000;
  setUser(tokens.user || currentUser);
  scheduleRefresh(Number(tokens.expires_in) || 900);
}

function setUser(next) {
  const before = currentUser;
  currentUser = next || null;
  const same = before && currentUser && ['id', 'email', 'username', 'role'].every((k) => before[k] === currentUser[k]);
  // A silent refresh returns the same user: nothing to redraw.
  if (!same) events.dispatchEvent(new CustomEvent('auth', { detail: currentUser }));
}

function clearSession() {
  accessToken = null;
  accessExpiresAt = 0;
  clearTimeout(refreshTimer);
  if (currentUser) setUser(null);
}

function scheduleRefresh(ttlSecs) {
  clearTimeout(refreshTimer);
  // Refresh a minute early (or at 80 % of a short lifetime) so requests rarely see a 401.
  const lead = Math.min(60, ttlSecs * 0.2);
  refreshTimer = setTimeout(() => {
    refresh().catch(() => {});
  }, Math.max(5, ttlSecs - lead) * 1000);
}

function headersFor(extra, withAuth) {
  const headers = { 'X-Confab-Client': 'web', Accept: 'application/json', ...extra };
  if (withAuth && accessToken) headers.Authorization = `Bearer ${accessToken}`;
  return headers;
}

function reportQuota(res) {
  const limit = res.headers.get('ratelimit-limit');
  if (limit === null) return;
  events.dispatchEvent(new CustomEvent('quota', {
    detail: {
      limit: Number(limit),
      remaining: Number(res.headers.get('ratelimit-remaining')),
      reset: Number(res.headers.get('ratelimit-reset')),
    },
  }));
}

async function readBody(res) {
  const type = res.headers.get('content-type') || '';
  if (res.status === 204) return null;
  if (type.includes('application/json')) {
    try {
      return await res.json();
    } catch {
      return null;
    }
  }
  return res.text();
}

async function rawFetch(method, path, { body, headers = {}, signal, auth = true } = {}) {
  const init = { method, headers: headersFor(headers, auth), credentials: 'include', signal };
  if (typeof FormData !== 'undefined' && body instanceof FormData) {
    init.body = body; // multipart (uploads): the browser sets the boundary
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  try {
    return await fetch(apiBase() + path, init);
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError(0, null, null);
  }
}

const LOCK_KEY = 'confab.refreshLock';
const TAB_ID = Math.random().toString(36).slice(2);

/**
 * Runs `task` while holding the cross-tab refresh lock: the Web Locks API where the browser
 * has it (secure contexts), else a lease in localStorage (plain-HTTP installs, old browsers)
 * that expires after 20 s so a closed tab cannot hold it forever.
 */
async function withLock(task) {
  if (navigator.locks && navigator.locks.request) return navigator.locks.request('confab-refresh', task);
  let storage = null;
  try {
    storage = window.localStorage;
  } catch {
    return task();
  }
  const deadline = Date.now() + 20_000;
  for (;;) {
    const [holder, until] = String(storage.getItem(LOCK_KEY) || '').split(':');
    if (!holder || Number(until) < Date.now() || holder === TAB_ID || Date.now() > deadline) {
      storage.setItem(LOCK_KEY, `${TAB_ID}:${Date.now() + 20_000}`);
      // Two tabs may write at once; the later write wins and the other waits a round.
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (String(storage.getItem(LOCK_KEY) || '').startsWith(`${TAB_ID}:`)) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 100));
  }
  try {
    return await task();
  } finally {
    if (String(storage.getItem(LOCK_KEY) || '').startsWith(`${TAB_ID}:`)) storage.removeItem(LOCK_KEY);
  }
}

function timeoutSignal(ms) {
  return typeof AbortSignal.timeout === 'function' ? AbortSignal.timeout(ms) : undefined;
}

/**
 * Trades the refresh cookie for a new access token. Resolves to the user, or null when
 * there is no session. Rejects only on network trouble.
 */
export function refresh() {
  if (!refreshing) {
    refreshing = withLock(async () => {
      let res;
      try {
        res = await rawFetch('POST', '/api/auth/refresh', { body: {}, auth: false, signal: timeoutSignal(15_000) });
      } catch (e) {
        throw e instanceof ApiError ? e : new ApiError(0, null, null);
      }
      if (res.ok) {
        setSession(await res.json());
        return currentUser;
      }
      const body = await readBody(res);
      if (res.status !== 401 && res.status !== 400) {
        // A server hiccup (5xx, 429) is not the end of the session: keep it and report.
        throw new ApiError(res.status, body, res.headers);
      }
      const hadSession = Boolean(currentUser);
      clearSession();
      if (hadSession) {
        const code = (body && body.error && body.error.code) || 'session_ended';
        events.dispatchEvent(new CustomEvent('session-ended', { detail: { reason: code } }));
      }
      return null;
    }).finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

/** Refreshes only if the token a request was sent with is still the current one. */
async function refreshAfter401(sentWith) {
  if (accessToken && accessToken !== sentWith) return currentUser;
  return refresh().catch(() => null);
}

/**
 * Calls the API. Resolves to the parsed body (JSON, text, or null for 204); rejects with
 * ApiError. A 401 on an authenticated call triggers one silent refresh and a retry.
 */
export async function request(method, path, opts = {}) {
  const auth = opts.auth !== false;
  if (auth && accessToken && Date.now() > accessExpiresAt - 5000) await refresh().catch(() => {});
  const sentWith = accessToken;
  let res = await rawFetch(method, path, { ...opts, auth });
  if (res.status === 401 && auth && currentUser) {
    const again = await refreshAfter401(sentWith);
    if (again) res = await rawFetch(method, path, { ...opts, auth });
  }
  reportQuota(res);
  const data = await readBody(res);
  if (!res.ok) throw new ApiError(res.status, data, res.headers);
  return opts.withHeaders ? { data, headers: res.headers } : data;
}

export const get = (path, opts) => request('GET', path, opts);
export const post = (path, body, opts) => request('POST', path, { ...opts, body });
export const patch = (path, body, opts) => request('PATCH', path, { ...opts, body });
export const put = (path, body, opts) => request('PUT', path, { ...opts, body });
export const del = (path, body, opts) => request('DELETE', path, { ...opts, body });

/** Fetches a file (export) as a Blob with the access token. */
export async function blob(path) {
  const sentWith = accessToken;
  let res = await rawFetch('GET', path, { headers: { Accept: '*/*' } });
  if (res.status === 401 && currentUser && (await refreshAfter401(sentWith))) {
    res = await rawFetch('GET', path, { headers: { Accept: '*/*' } });
  }
  if (!res.ok) throw new ApiError(res.status, await readBody(res), res.headers);
  return res.blob();
}

export async function login(email, password) {
  const tokens = await request('POST', '/api/auth/login', { body: { email, password }, auth: false });
  setSession(tokens);
  return currentUser;
}

/**
 * Ends the session on the server, then here. Rejects (and keeps the session) when the
 * server could not be told, so a shared computer is never left signed in by mistake.
 */
export async function logout() {
  if (!accessToken) await refresh();
  if (accessToken) {
    try {
      await request('POST', '/api/auth/logout');
    } catch (error) {
      if (error.status !== 401) throw error;
    }
  }
  clearSession();
  clearDrafts();
}

/** Forgets the session locally (after the account was deleted). */
export function forget() {
  clearSession();
  clearDrafts();
}

/** Updates the cached user after a profile change. */
export function updateUser(next) {
  setUser({ ...currentUser, ...next });
}

/**
 * POSTs (or, with `method: 'GET'` and no body, GETs) and reads a server-sent event stream.
 * `onEvent(name, data)` gets each event with its JSON data. Resolves when the stream ends;
 * rejects with ApiError for an error answer (quota, validation) and with an AbortError
 * when `signal` aborts.
 */
export async function stream(path, body, { signal, onEvent, method = 'POST' }) {
  if (accessToken && Date.now() > accessExpiresAt - 5000) await refresh().catch(() => {});
  const opts = { body, signal, headers: { Accept: 'text/event-stream' } };
  const sentWith = accessToken;
  let res = await rawFetch(method, path, opts);
  if (res.status === 401 && currentUser && (await refreshAfter401(sentWith))) {
    res = await rawFetch(method, path, opts);
  }
  reportQuota(res);
  const type = res.headers.get('content-type') || '';
  if (!res.ok || !type.includes('text/event-stream')) {
    const data = await readBody(res);
    if (!res.ok) throw new ApiError(res.status, data, res.headers);
    onEvent('json', data);
    return;
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const dispatch = (block) => {
    let name = 'message';
    const lines = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const key = colon < 0 ? line : line.slice(0, colon);
      const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (key === 'event') name = val;
      else if (key === 'data') lines.push(val);
    }
    if (!lines.length) return;
    let data;
    try {
      data = JSON.parse(lines.join('\n'));
    } catch {
      data = lines.join('\n');
    }
    onEvent(name, data);
  };
  for (;;) {
    let chunk;
    try {
      chunk = await reader.read();
    } catch (e) {
      if (e && e.name === 'AbortError') throw e;
      throw new ApiError(0, null, null);
    }
    if (chunk.done) break;
    buffer += chunk.value;
    // A "\r" at the end may be the first half of "\r\n": keep it for the next chunk.
    const held = buffer.endsWith('\r') ? '\r' : '';
    let text = (held ? buffer.slice(0, -1) : buffer).replace(/\r\n?/g, '\n');
    let cut;
    while ((cut = text.indexOf('\n\n')) >= 0) {
      dispatch(text.slice(0, cut));
      text = text.slice(cut + 2);
    }
    buffer = text + held;
  }
  if (buffer.trim()) dispatch(buffer.replace(/\r\n?/g, '\n'));
}
