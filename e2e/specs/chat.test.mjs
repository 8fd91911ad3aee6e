// The chat in a real Chromium (see ../run): typing at once on /chat, Markdown while it
// streams, code blocks, copy and regenerate, the log and the composer at desktop and phone
// sizes, search, quota, and answers that survive a reload and stop when asked. One user in
// English at 1366×900, one in Korean on a 390×844 phone; the fake model streams slowly
// (60 ms a token), so a reload lands in the middle of an answer.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE = process.env.CONFAB_URL;
if (!BASE) throw new Error('CONFAB_URL is not set; run e2e/run');

const DESKTOP = { width: 1366, height: 900 };
const LAPTOP = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };
const STAMP = Date.now().toString(36);
const PASSWORD = 'correct horse battery staple 42';
const SHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'screenshots');
mkdirSync(SHOTS, { recursive: true });

/** A screenshot of the window as the user sees it (e2e/screenshots/, ignored by git). */
const shot = (page, name) => page.screenshot({ path: join(SHOTS, `${name}.png`) });

let browser;
const pageErrors = [];

async function signUp(tag) {
  const email = `chat-${tag}-${STAMP}@example.com`;
  const res = await fetch(`${BASE}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, username: `chat_${tag}_${STAMP}`, password: PASSWORD, password2: PASSWORD }),
  });
  assert.equal(res.status, 201, await res.text());
  return email;
}

/** The server's view of the user's chat quota (through a session of its own). */
async function serverQuota(email) {
  const login = await fetch(`${BASE}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  const { access_token: token } = await login.json();
  const res = await fetch(`${BASE}/api/me/quota`, { headers: { authorization: `Bearer ${token}` } });
  const view = await res.json();
  return view.scopes.find((s) => s.scope === 'chat');
}

async function openUser({ locale, viewport, tag }) {
  const context = await browser.newContext({ viewport, locale, timezoneId: 'Asia/Seoul' });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  // The vendored modules load under the strict CSP: no violation is reported.
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) pageErrors.push(message.text());
  });
  const dialogs = [];
  page.on('dialog', async (dialog) => {
    dialogs.push(dialog.type());
    await dialog.accept();
  });
  const email = await signUp(tag);
  await page.goto(`${BASE}/login`);
  await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  await page.click('form button[type=submit]');
  await page.waitForURL(/\/chat$/);
  await page.locator('#quota-badge:not([hidden])').waitFor();
  await page.locator('.composer #message').waitFor();
  return { context, page, email, dialogs };
}

/** Whether `selector` lies wholly inside the window. */
async function onScreen(page, selector) {
  return page.evaluate((sel) => {
    const r = document.querySelector(sel).getBoundingClientRect();
    return r.top >= 0 && r.left >= 0 && r.bottom <= window.innerHeight + 0.5 && r.right <= window.innerWidth + 0.5 && r.height > 0;
  }, selector);
}

const lastAnswer = (page) => page.locator('.message-assistant').last();

/** The ids of the answers on screen. */
const answerIds = (page) => page.evaluate(() => [...document.querySelectorAll('.message-assistant[data-id]')].map((m) => m.dataset.id));

/** Waits until the newest answer, not one of `before`, is stored complete; returns its text. */
async function answerComplete(page, before = []) {
  await page.waitForFunction((old) => {
    const all = document.querySelectorAll('.message-assistant');
    const last = all[all.length - 1];
    return last && !old.includes(last.dataset.id) && last.dataset.status === 'complete' && last.textContent.includes('word40');
  }, before, { timeout: 30_000 });
  return lastAnswer(page).locator('.message-body').textContent();
}

/** Types `text` and sends it with Enter; returns the answer ids that were there before. */
async function send(page, text) {
  const before = page.url().includes('/chat/') ? await answerIds(page) : [];
  await page.fill('#message', text);
  await page.press('#message', 'Enter');
  return before;
}

/** Waits until the log shows its end (the newest message). */
const atNewest = (page) => page.waitForFunction(() => {
  const log = document.querySelector('.messages');
  return log && log.scrollHeight - log.scrollTop - log.clientHeight < 2;
}, null, { timeout: 5_000 });

before(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

after(async () => {
  if (browser) await browser.close();
});

// ---- English, desktop ----

let en;
let enRoom = '';

test('en desktop: type at once on /chat; Markdown and code render while the answer streams', async () => {
  en = await openUser({ locale: 'en-US', viewport: DESKTOP, tag: 'en' });
  const { page } = en;
  // The welcome flash shows on the page the login leads to…
  await page.locator('#flash:not([hidden])').waitFor();
  assert.equal(await page.isChecked('#assistant-general'), true, 'a default assistant is picked');
  assert.equal(await onScreen(page, '.composer'), true);
  const before = await send(page, 'Show me some zebra42 code, please.');
  await page.waitForURL(/\/chat\/[0-9a-f-]+$/);
  enRoom = page.url();
  // …and goes when the next page opens.
  await page.locator('#flash').waitFor({ state: 'hidden' });
  // Rendered on the client while streaming: bold text, then the code block with its button.
  await page.locator('.message.is-streaming .message-body strong').waitFor();
  await page.locator('.message.is-streaming .code-block .code-copy').waitFor();
  await shot(page, 'chat-streaming-desktop');
  const text = await answerComplete(page, before);
  assert.ok(text.includes('def greet(name):'));
  const answer = lastAnswer(page);
  assert.equal(await answer.locator('img, script').count(), 0, 'no hostile markup');
  // The server's HTML, highlighted: `def` is a Python keyword.
  await answer.locator('.code-block code.hljs .hljs-keyword', { hasText: 'def' }).waitFor();
  assert.equal(await answer.locator('.code-lang').textContent(), 'python');
  await page.locator('.room-heading', { hasText: 'Show me some zebra42 code, please.' }).waitFor();
  assert.equal(await page.getAttribute('.messages', 'aria-label'), 'Messages');
});

test('en desktop: copy code, copy the answer, and regenerate the last answer', async () => {
  const { page } = en;
  const answer = lastAnswer(page);
  await answer.locator('.code-copy').click();
  await answer.locator('.code-copy', { hasText: 'Copied' }).waitFor();
  assert.equal((await page.evaluate(() => navigator.clipboard.readText())).trim(), 'def greet(name):\n    return f"hello {name}"');
  await answer.locator('.copy-answer').click();
  assert.match(await page.evaluate(() => navigator.clipboard.readText()), /\*\*a streamed answer\*\*/, 'the answer is copied as Markdown');

  const oldId = await answer.getAttribute('data-id');
  await answer.locator('.regenerate').click();
  await page.locator('.message-assistant.is-streaming').waitFor();
  await answerComplete(page, [oldId]);
  assert.equal(await page.locator('.message-assistant').count(), 1, 'the old answer was replaced');
  assert.notEqual(await lastAnswer(page).getAttribute('data-id'), oldId);
  await page.locator('#quota-badge', { hasText: '2 of 4 left today' }).waitFor();
});

test('en 1366×768: the room opens at its newest message, the log scrolls by keyboard, "jump to latest" returns', async () => {
  const { page } = en;
  await page.setViewportSize(LAPTOP);
  await answerComplete(page, await send(page, 'Another long one, please.'));
  await page.reload();
  await page.locator('.message-assistant[data-status="complete"]').last().waitFor();
  assert.equal(await onScreen(page, '.composer'), true, 'the composer is on screen');
  await atNewest(page); // opened at the newest message
  await page.focus('.messages');
  await page.keyboard.press('Home');
  await page.waitForFunction(() => document.querySelector('.messages').scrollTop === 0);
  const jump = page.locator('.jump-latest');
  await jump.waitFor();
  await jump.click();
  await atNewest(page);
  await jump.waitFor({ state: 'hidden' });
  assert.equal(await onScreen(page, '.composer'), true);
  await page.setViewportSize(DESKTOP);
});

test('en desktop: search shows plain-text hits in a labelled list and opens the room at the match', async () => {
  const { page } = en;
  await page.goto(`${BASE}/chat`);
  await page.fill('#chat-search', 'zebra42');
  await page.press('#chat-search', 'Enter');
  const list = page.locator('ul.search-results[aria-labelledby="search-results-h"]');
  await list.locator('mark', { hasText: 'zebra42' }).first().waitFor();
  assert.equal(await page.textContent('#search-results-h'), 'Search results');
  assert.doesNotMatch(await list.textContent(), /\*\*|`/, 'no Markdown syntax');
  await list.locator('a.search-hit').first().click();
  await page.waitForURL(/\/chat\/[0-9a-f-]+\?m=/);
  const target = page.locator('.message.is-target');
  await target.waitFor();
  assert.match(await target.textContent(), /zebra42/);
  const visible = await page.evaluate(() => {
    const log = document.querySelector('.messages').getBoundingClientRect();
    const t = document.querySelector('.message.is-target').getBoundingClientRect();
    return t.bottom > log.top && t.top < log.bottom;
  });
  assert.ok(visible, 'the matching message is in view');
});

test('en desktop: a refused send shows one quota notice and keeps the draft; at 0 left Send is disabled with a reason', async () => {
  const { page } = en;
  await page.goto(enRoom);
  await page.locator('.composer').waitFor();
  const resets = new Date(Date.now() + 3600_000).toISOString();
  const refuse = (route) => (route.request().method() !== 'POST' ? route.continue() : route.fulfill({
    status: 429,
    headers: { 'retry-after': '3600' },
    contentType: 'application/json',
    body: JSON.stringify({ error: { code: 'quota_exceeded', message: 'daily quota exceeded', scope: 'chat', limit: 4, resets_at: resets } }),
  }));
  await page.route('**/api/rooms/*/messages', refuse);
  await send(page, 'refused once');
  const notice = page.locator('.form-error.has-notice .notice-warn');
  await notice.waitFor();
  assert.match(await notice.textContent(), /resets at/i);
  const frame = await page.evaluate(() => getComputedStyle(document.querySelector('.form-error.has-notice')).backgroundColor);
  assert.equal(frame, 'rgba(0, 0, 0, 0)', 'no pink box around the yellow notice');
  assert.equal(await page.inputValue('#message'), 'refused once', 'the draft is kept');
  await page.unroute('**/api/rooms/*/messages', refuse);

  const ids = await answerIds(page);
  await page.press('#message', 'Enter'); // the real send: the last slot of the day
  await answerComplete(page, ids);
  const reason = page.locator('#composer-quota');
  await reason.waitFor();
  assert.match(await reason.textContent(), /used all 4 chat messages.*send again at/i);
  assert.equal(await page.locator('.composer .send-button').isDisabled(), true);
  await page.fill('#message', 'typed while out of quota');
  await page.press('#message', 'Enter');
  assert.equal(await page.inputValue('#message'), 'typed while out of quota');
  await page.locator('#quota-badge', { hasText: '0 of 4 left today' }).waitFor();
});

test('en desktop: leaving warns only when the draft could not be kept', async () => {
  const { page, dialogs } = en;
  await page.fill('#message', 'a kept draft');
  await page.reload();
  await page.locator('.composer #message').waitFor();
  assert.equal(await page.inputValue('#message'), 'a kept draft', 'the draft survived the reload');
  assert.deepEqual(dialogs, [], 'no warning: nothing was lost');
  // Storage refuses the draft (full, or disabled): now leaving would lose it.
  await page.evaluate(() => {
    Storage.prototype.setItem = () => {
      throw new DOMException('full', 'QuotaExceededError');
    };
  });
  await page.fill('#message', 'a draft with nowhere to go');
  await page.reload();
  assert.deepEqual(dialogs, ['beforeunload']);
  await en.context.close();
});

// ---- Korean, phone ----

let ko;

test('ko phone: a reload in the middle of an answer re-attaches and the answer comes back complete', async () => {
  ko = await openUser({ locale: 'ko-KR', viewport: PHONE, tag: 'ko' });
  const { page } = ko;
  assert.equal(await onScreen(page, '.composer'), true, 'the composer is on screen on /chat');
  await shot(page, 'chat-new-phone-ko');
  // The badge keeps its scope on a phone.
  assert.equal(await page.isVisible('#quota-badge .quota-scope'), true);
  assert.equal(await page.textContent('#quota-badge .quota-scope'), '채팅');
  assert.equal(await page.isVisible('#quota-badge .quota-short'), true);
  const before = await send(page, '새로고침해도 답이 남나요?');
  await page.waitForURL(/\/chat\/[0-9a-f-]+$/);
  await page.waitForFunction(() => {
    const el = document.querySelector('.message.is-streaming .message-body');
    return el && el.textContent.length > 20;
  });
  await page.reload();
  await page.locator('.message-user', { hasText: '새로고침해도' }).waitFor();
  const text = await answerComplete(page, before);
  assert.equal(text.split('word40').length, 2, 'the text is not doubled');
  assert.equal(text.split('Here is').length, 2);
  assert.equal(await page.locator('.message-assistant').count(), 1);
  assert.equal(await onScreen(page, '.composer'), true, 'the composer is on screen in a room');
  await atNewest(page); // the room shows its newest message
  await shot(page, 'chat-room-phone-ko');
});

test('ko phone: Stop ends the answer (kept, marked 중단됨); a stop before the first token leaves no stale badge', async () => {
  const { page, email } = ko;
  const before = await send(page, '길게 말해 주세요');
  await page.waitForFunction(() => {
    const el = document.querySelector('.message.is-streaming .message-body');
    return el && el.textContent.length > 20;
  });
  await page.click('.composer .stop-button');
  await page.waitForFunction((old) => {
    const last = [...document.querySelectorAll('.message-assistant')].pop();
    return last && last.dataset.id && !old.includes(last.dataset.id) && last.dataset.status === 'incomplete';
  }, before);
  const stopped = lastAnswer(page);
  assert.equal(await stopped.locator('.badge').textContent(), '중단됨');
  assert.ok(!(await stopped.textContent()).includes('word40'), 'cut before its end');
  await page.locator('.composer .send-button:not([hidden])').waitFor();

  await send(page, '바로 멈출게요');
  await page.click('.composer .stop-button');
  await page.locator('.composer .send-button:not([hidden])').waitFor();
  await page.waitForFunction(() => !document.querySelector('.message.is-streaming'));
  const server = await serverQuota(email);
  await page.locator('#quota-badge', { hasText: `${server.remaining}/${server.limit}` }).waitFor();
});

test('ko phone: rooms grouped by day, a natural time zone and midnight, the export speaks Korean, a flash does not linger', async () => {
  const { page } = ko;
  const room = page.url();
  await page.click('.room-menu summary');
  const exported = page.waitForRequest((r) => r.url().includes('/export?'));
  await page.click('.room-menu-items button:has-text("Markdown")');
  const url = new URL((await exported).url());
  assert.equal(url.searchParams.get('format'), 'md');
  assert.equal(url.searchParams.get('lang'), 'ko');
  assert.equal(url.searchParams.get('tz'), 'Asia/Seoul');

  const times = await page.evaluate(async () => {
    const i18n = await import('/js/i18n.js');
    return { midnight: i18n.formatTime(new Date(2026, 0, 1, 0, 0)), zone: i18n.formatTimeZone('Asia/Seoul') };
  });
  assert.doesNotMatch(times.midnight, /오전 12/);
  assert.match(times.midnight, /^0?0:00$/);
  assert.match(times.zone, /한국 표준시/);

  await page.goto(`${BASE}/chat`);
  await page.locator('.room-group[data-group="today"] .sidebar-heading', { hasText: '오늘' }).waitFor();

  await page.goto(room);
  await page.click('.room-menu summary');
  await page.click('.room-menu-items .danger-text');
  await page.click('dialog button[value="ok"]');
  await page.waitForURL(/\/chat$/);
  await page.locator('#flash', { hasText: '대화방을 삭제했어요' }).waitFor();
  await page.click('#nav-toggle');
  await page.click('#nav a[href="/interview"]');
  await page.waitForURL(/\/interview$/);
  await page.locator('#flash').waitFor({ state: 'hidden' });
});

test('ko phone: with no model the picker says which assistants answer from built-in knowledge, and how to connect one', async () => {
  const { page } = ko;
  await page.route('**/api/assistants', async (route) => {
    const res = await route.fetch();
    const list = (await res.json()).map((a) => ({ ...a, offline: true }));
    await route.fulfill({ response: res, json: list });
  });
  await page.goto(`${BASE}/chat`);
  await page.locator('.assistant-chip .chip-note').first().waitFor();
  assert.equal(await page.locator('.chip-note').count(), await page.locator('.assistant-chip').count());
  assert.match(await page.textContent('#assistant-about'), /내장된 지식으로만/);
  await page.click('.model-help summary');
  assert.match(await page.textContent('.model-help'), /CONFAB_LLM_PROVIDER=openai/);
  await page.unroute('**/api/assistants');
  await ko.context.close();
  assert.deepEqual(pageErrors, []);
});
