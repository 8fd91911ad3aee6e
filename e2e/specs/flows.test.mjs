// The main flows of the web UI in a real Chromium, against a release confab whose model is
// the fake upstream (see ../run). Steps run in order and share one signed-in browser page.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE = process.env.CONFAB_URL;
if (!BASE) throw new Error('CONFAB_URL is not set; run e2e/run');
const SHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'screenshots');
mkdirSync(SHOTS, { recursive: true });

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 860 };
const STAMP = Date.now().toString(36);
const EMAIL = `e2e-${STAMP}@example.com`;
const USERNAME = `e2e_${STAMP}`;
const PASSWORD = 'correct horse battery staple 42';
const NEW_PASSWORD = 'another quite long passphrase 77';

let browser;
let context;
let page;
const dialogs = [];
const pageErrors = [];
let roomUrl = '';

async function shot(name) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: join(SHOTS, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SHOTS, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize(DESKTOP);
}

/** Completed answers (the fake model's whole reply ends with "word40"). */
const completedAnswers = () => page.evaluate(() => [...document.querySelectorAll('.message-assistant:not(.is-streaming)')]
  .filter((m) => m.textContent.includes('word40')).length);

/** Sends a chat message and waits until its whole answer has arrived. */
async function sendAndWait(text) {
  const before = await completedAnswers();
  await page.fill('#message', text);
  await page.click('.composer button[type=submit]');
  await page.waitForFunction((n) => [...document.querySelectorAll('.message-assistant:not(.is-streaming)')]
    .filter((m) => m.textContent.includes('word40')).length > n, before, { timeout: 30_000 });
}

before(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  context = await browser.newContext({ viewport: DESKTOP, locale: 'en-US' });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('dialog', async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  // A flag any injected script would flip; checked by the XSS step.
  await context.addInitScript(() => {
    window.__xss = 0;
    const original = window.alert;
    window.alert = (...args) => {
      window.__xss += 1;
      return original.apply(window, args);
    };
  });
});

after(async () => {
  if (browser) await browser.close();
});

test('the home page loads with the strict CSP and no script errors', async () => {
  const response = await page.goto(BASE + '/');
  assert.equal(response.status(), 200);
  const csp = response.headers()['content-security-policy'] || '';
  assert.match(csp, /script-src 'self'/);
  await page.locator('h1').first().waitFor();
  await shot('home');
  assert.deepEqual(pageErrors, []);
});

test('sign-up shows field errors next to their fields and keeps what was typed', async () => {
  await page.goto(BASE + '/signup');
  // The hint says what a username may hold (Hangul too) and promises nothing about pages.
  const hint = await page.textContent('#username-hint');
  assert.match(hint, /Hangul/);
  assert.doesNotMatch(hint, /board|English letters only/i);
  await page.fill('#email', EMAIL);
  await page.fill('#username', USERNAME);
  await page.fill('#password', PASSWORD);
  await page.fill('#password2', PASSWORD + 'x');
  await shot('signup');
  await page.click('form button[type=submit]');
  const error = page.locator('#password2-error');
  await error.waitFor({ state: 'visible' });
  assert.equal(await page.getAttribute('#password2', 'aria-invalid'), 'true');
  assert.equal(await page.inputValue('#email'), EMAIL, 'the email is kept');
  assert.equal(await page.inputValue('#username'), USERNAME, 'the username is kept');
  // The words come from the error's stable code (field_codes), in the UI language.
  assert.equal(await error.textContent(), 'The passwords do not match.');
});

test('signing up logs the user in and lands on chat', async () => {
  await page.fill('#password2', PASSWORD);
  await page.click('form button[type=submit]');
  await page.waitForURL(/\/chat$/);
  await page.locator('#nav .nav-user', { hasText: USERNAME }).waitFor();
  // The refresh token lives only in an HttpOnly cookie: scripts cannot see it.
  const visible = await page.evaluate(() => document.cookie);
  assert.doesNotMatch(visible, /confab_refresh/);
  const cookies = await context.cookies();
  const refresh = cookies.find((c) => c.name === 'confab_refresh');
  assert.ok(refresh, 'refresh cookie set');
  assert.equal(refresh.httpOnly, true);
  assert.equal(refresh.sameSite, 'Strict');
});

test('logging out and in again works, and a wrong password says so', async () => {
  await page.click('#logout');
  await page.waitForURL(/\/login/);
  await page.locator('#nav a[href="/login"]').waitFor();
  await page.fill('#email', EMAIL);
  await page.fill('#password', 'not the password at all');
  await page.click('form button[type=submit]');
  await page.locator('.form-error', { hasText: /incorrect/i }).waitFor();
  assert.equal(await page.inputValue('#email'), EMAIL);
  await shot('login');
  await page.fill('#password', PASSWORD);
  await page.click('form button[type=submit]');
  await page.waitForURL(/\/chat$/);
  await page.locator('#quota-badge:not([hidden])').waitFor();
  assert.match(await page.textContent('#quota-badge'), /4 of 4 left today/);
});

test('a chat answer streams token by token and Stop keeps the partial answer', async () => {
  // On /chat you type at once: the first message makes the room.
  await page.click('label[for="assistant-general"]');
  await page.fill('#message', 'Tell me something long, please.');
  await page.click('.composer button[type=submit]');
  await page.waitForURL(/\/chat\/[0-9a-f-]+$/);
  roomUrl = page.url();
  const streaming = page.locator('.message.is-streaming .message-body');
  await streaming.waitFor();
  await page.waitForFunction(() => {
    const el = document.querySelector('.message.is-streaming .message-body');
    return el && el.textContent.length > 20;
  });
  const partial = await streaming.textContent();
  await page.click('.composer .button-danger');
  await page.locator('.message-assistant.is-incomplete').first().waitFor();
  const later = await page.locator('.message-assistant').last().textContent();
  assert.ok(!later.includes('word40'), 'the stream was cut before its end');
  assert.ok(partial.length > 0);
  // The server keeps the partial answer, marked incomplete; the page shows the stored copy.
  await page.locator('.message-assistant.is-incomplete[data-id] .badge').waitFor();
  // The room is named after its first message.
  await page.locator('.room-heading', { hasText: 'Tell me something long' }).waitFor();
  await shot('chat-room');
});

test('reloading the page keeps the user signed in (refresh cookie) and the history', async () => {
  await page.reload();
  await page.locator('#nav .nav-user', { hasText: USERNAME }).waitFor();
  assert.equal(page.url(), roomUrl);
  await page.locator('.message-user', { hasText: 'Tell me something long' }).waitFor();
  await page.locator('.message-assistant.is-incomplete').waitFor();
});

test('an expired access token is refreshed silently and the request retried', async () => {
  let refreshes = 0;
  const count = (request) => {
    if (request.url().endsWith('/api/auth/refresh')) refreshes += 1;
  };
  page.on('request', count);
  // The next room list answers as if the access token had expired.
  let rejected = 0;
  await page.route('**/api/rooms?*', async (route) => {
    rejected += 1;
    await route.fulfill({
      status: 401,
      contentType: 'application/json',
      body: JSON.stringify({ error: { code: 'invalid_token', message: 'the access token has expired' } }),
    });
  }, { times: 1 });
  const retried = page.waitForResponse((r) => r.url().includes('/api/rooms?') && r.status() === 200);
  await page.click('.chat-sidebar a.button');
  await page.waitForURL(/\/chat$/);
  await retried;
  await page.locator('.chat-layout.no-room .room-link').first().waitFor();
  page.off('request', count);
  assert.equal(rejected, 1, 'the first room list was refused');
  assert.equal(refreshes, 1, 'one silent refresh');
  await page.locator('#nav .nav-user', { hasText: USERNAME }).waitFor();
  await page.goto(roomUrl);
  await page.locator('.composer').waitFor();
});

test('hostile model output renders as safe HTML: no script runs, no dialog', async () => {
  await sendAndWait('Show me some formatting.');
  const last = page.locator('.message-assistant').last();
  assert.equal(await last.locator('strong', { hasText: 'a streamed answer' }).count(), 1, 'Markdown is rendered');
  assert.equal(await last.locator('img').count(), 0, 'no <img> survives');
  assert.equal(await last.locator('script').count(), 0, 'no <script> survives');
  assert.equal(await last.locator('a[href^="javascript"]').count(), 0, 'no javascript: link');
  const safe = last.locator('a[href="https://example.com"]');
  assert.equal(await safe.count(), 1, 'the https link is kept');
  assert.match(await safe.getAttribute('rel'), /noopener/);
  assert.equal(await page.evaluate(() => window.__xss), 0);
  assert.deepEqual(dialogs, []);
  assert.match(await page.textContent('#quota-badge'), /2 of 4 left today/);
});

test('a full mock interview reaches the final score, and a star lands in favourites', async () => {
  await page.click('#nav a[href="/interview"]');
  await page.waitForURL(/\/interview$/);
  await page.selectOption('#field', 'backend');
  await page.selectOption('#career', 'junior');
  await page.selectOption('#count', '2');
  await shot('interview-start');
  await page.click('form button[type=submit]');
  await page.waitForURL(/\/interview\/sessions\//);

  await page.locator('.question-card').waitFor();
  assert.match(await page.textContent('.progress-label'), /Question 1 \/ 2/);
  await page.locator('.question-card .difficulty').waitFor();
  await page.locator('.timer').waitFor();
  await shot('interview-question');
  await page.fill('#answer', 'An index is a B+tree that speeds up reads at the cost of slower writes and more storage; transactions and isolation matter too.');
  await page.click('.question-card button[type=submit]');
  await page.locator('.graded .score-big').waitFor();
  assert.match(await page.textContent('.graded .score-big'), /\d+ \/ 10/);
  await page.locator('.graded .model-answer').waitFor();
  await page.click('.graded .star');
  await page.locator('.graded .star[aria-pressed="true"]').waitFor();
  await shot('interview-graded');
  await page.click('.graded .actions .button');

  await page.locator('.question-card').waitFor();
  assert.match(await page.textContent('.progress-label'), /Question 2 \/ 2/);
  await page.fill('#answer', 'I would measure first, then cache the hot path and keep the service stateless.');
  await page.click('.question-card button[type=submit]');
  await page.locator('.graded .score-big').waitFor();
  await page.click('.graded .actions .button');

  await page.locator('.result .score-big').waitFor();
  assert.match(await page.textContent('.result .score-big'), /\d+\.\d \/ 10/);
  await page.locator('.result .complement').waitFor();
  assert.equal(await page.locator('.result .breakdown li').count(), 2);
  await shot('interview-result');

  await page.click('#nav a[href="/interview/favorites"]');
  await page.waitForURL(/\/interview\/favorites$/);
  await page.locator('.favorite').first().waitFor();
  assert.equal(await page.locator('.favorite').count(), 1);
  await shot('favorites');
});

test('the cheat sheet lists questions with model answers', async () => {
  await page.click('#nav a[href="/interview/cheatsheet"]');
  await page.selectOption('#field', 'frontend');
  await page.click('form button[type=submit]');
  await page.locator('.cheat-item').first().waitFor();
  assert.equal(await page.locator('.cheat-item').count(), 2);
  await shot('cheatsheet');
});

test('a naming room asks for its language and shows its settings', async () => {
  await page.click('#nav a[href="/chat"]');
  await page.waitForURL(/\/chat$/);
  await page.click('label[for="assistant-naming"]');
  await page.selectOption('#settings\\.convention', 'snake_case');
  await page.fill('#message', 'a name for the login form user id');
  await page.click('.chat-main form button[type=submit]');
  const error = page.locator('[id="settings.language-error"]');
  await error.waitFor({ state: 'visible' });
  assert.equal(await page.inputValue('#settings\\.convention'), 'snake_case', 'typed values are kept');
  await page.selectOption('#settings\\.language', 'Python');
  await page.click('.chat-main form button[type=submit]');
  await page.waitForURL(/\/chat\/[0-9a-f-]+$/);
  await page.locator('.room-settings', { hasText: 'Python' }).waitFor();
  assert.match(await page.textContent('.room-settings'), /snake_case/);
  // The first message went with the room; let its answer finish before moving on.
  await page.locator('.message-assistant[data-status="complete"]').waitFor({ timeout: 30_000 });
});

test('when the chat quota runs out the UI explains when it resets and keeps the draft', async () => {
  await page.goto(roomUrl);
  await page.locator('.composer').waitFor();
  await sendAndWait('Filler message');
  await page.fill('#message', 'One more, please');
  // Send is disabled at 0 left, and says why and when it comes back.
  const note = page.locator('#composer-quota');
  await note.waitFor();
  assert.match(await note.textContent(), /send again at/i);
  assert.equal(await page.locator('.composer button[type=submit]').isDisabled(), true);
  assert.equal(await page.inputValue('#message'), 'One more, please', 'the draft is kept');
  assert.match(await page.textContent('#quota-badge'), /0 of 4 left today/);
  await shot('chat-quota');
});

test('a session revoked elsewhere sends the user to log in with a message, and the draft survives', async () => {
  await page.goto(roomUrl);
  await page.locator('.composer').waitFor();
  await page.fill('#message', 'a draft that must survive');
  // Another device logs in and changes the password, which signs out every other session.
  const login = await fetch(`${BASE}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
  });
  assert.equal(login.status, 200);
  const { access_token: token } = await login.json();
  const change = await fetch(`${BASE}/api/me/password`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ current_password: PASSWORD, new_password: NEW_PASSWORD, new_password2: NEW_PASSWORD }),
  });
  assert.equal(change.status, 204);

  await page.click('#nav a[href="/interview"]');
  await page.waitForURL(/\/login\?next=/);
  await page.locator('#flash', { hasText: /session has ended/i }).waitFor();
  await page.fill('#email', EMAIL);
  await page.fill('#password', NEW_PASSWORD);
  await page.click('form button[type=submit]');
  await page.waitForURL(/\/interview$/);
  await page.goto(roomUrl);
  await page.locator('.composer').waitFor();
  assert.equal(await page.inputValue('#message'), 'a draft that must survive');
});

test('the profile shows the quota and the UI switches to Korean', async () => {
  await page.click('#nav .nav-user');
  await page.waitForURL(/\/profile$/);
  await page.locator('.table tbody tr').first().waitFor();
  await shot('profile');
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot('profile-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.click('#lang-toggle');
  await page.locator('#nav a[href="/chat"]', { hasText: '채팅' }).waitFor();
  await page.locator('h1', { hasText: '내 계정' }).waitFor();
  await page.goto(BASE + '/interview');
  await page.locator('h1', { hasText: '모의 기술면접' }).waitFor();
  await shot('interview-ko');
  try {
    // The room list groups rooms by day, in Korean.
    await page.goto(BASE + '/chat');
    await page.locator('.room-group .sidebar-heading', { hasText: '오늘' }).first().waitFor();
    await shot('chat-ko');
  } finally {
    await page.click('#lang-toggle');
    await page.locator('#nav a[href="/chat"]', { hasText: 'Chat' }).waitFor();
  }
});

test('on a phone the menu opens from its button and closes after navigating', async () => {
  await page.setViewportSize(PHONE);
  await page.goto(`${BASE}/chat`);
  await page.locator('.chat-sidebar').waitFor();
  assert.equal(await page.isVisible('#nav a[href="/interview/favorites"]'), false, 'menu starts closed');
  await page.click('#nav-toggle');
  assert.equal(await page.getAttribute('#nav-toggle', 'aria-expanded'), 'true');
  await page.click('#nav a[href="/interview/favorites"]');
  await page.waitForURL(/\/interview\/favorites$/);
  await page.locator('.favorite').first().waitFor();
  assert.equal(await page.getAttribute('#nav-toggle', 'aria-expanded'), 'false');
  assert.equal(await page.isVisible('#nav a[href="/chat"]'), false, 'menu closed again');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `no sideways scrolling on a phone (${overflow}px)`);
  await page.setViewportSize(DESKTOP);
});

test('logging out ends the session: private pages send you to log in', async () => {
  await page.click('#logout');
  await page.waitForURL(/\/login/);
  await page.goto(roomUrl);
  await page.waitForURL(/\/login\?next=/);
  await page.locator('#email').waitFor();
  assert.deepEqual(dialogs, []);
  assert.deepEqual(pageErrors, []);
});
