// Personal API keys in a real Chromium: the profile page makes a key with a name and
// shows its secret once (with a copy button), the secret then works with OpenAI's wire
// format on /v1, the examples point at this server's /v1, a reload no longer shows the
// secret, and revoking it stops it at once. In Korean (desktop) and English (phone).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE = process.env.CONFAB_URL;
if (!BASE) throw new Error('CONFAB_URL is not set; run e2e/run');
const STAMP = Date.now().toString(36);
const PASSWORD = 'correct horse battery staple 42';
const SHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'screenshots');
mkdirSync(SHOTS, { recursive: true });

let browser;
const pageErrors = [];

before(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

after(async () => {
  if (browser) await browser.close();
});

async function openUser({ locale, viewport, tag }) {
  const email = `keys-${tag}-${STAMP}@example.com`;
  const res = await fetch(`${BASE}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, username: `keys_${tag}_${STAMP}`, password: PASSWORD, password2: PASSWORD }),
  });
  assert.equal(res.status, 201, await res.text());
  const context = await browser.newContext({ viewport, locale, timezoneId: 'Asia/Seoul' });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) pageErrors.push(message.text());
  });
  await page.goto(`${BASE}/login`);
  await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  await page.click('form button[type=submit]');
  await page.waitForURL(/\/chat$/);
  return { context, page };
}

function chat(secret, body) {
  return fetch(`${BASE}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function makeKey(page, name) {
  await page.goto(`${BASE}/profile`);
  const card = page.locator('#api-keys');
  await card.waitFor();
  await card.locator('#name').fill(name);
  await card.locator('button[type=submit]').click();
  const secretInput = card.locator('.apikey-new input');
  await secretInput.waitFor();
  return { card, secret: await secretInput.inputValue() };
}

test('a key is made on the profile page, shown once, works on /v1 and is revoked', async () => {
  const { context, page } = await openUser({ locale: 'ko-KR', viewport: { width: 1280, height: 900 }, tag: 'ko' });
  // An empty name is refused next to its field, in Korean.
  await page.goto(`${BASE}/profile`);
  const card = page.locator('#api-keys');
  await card.waitFor();
  assert.equal(await card.locator('h2').textContent(), 'API 키');
  await card.locator('button[type=submit]').click();
  await card.locator('#name-error:not([hidden])').waitFor();
  assert.equal(await card.locator('#name-error').textContent(), '필수 항목입니다.');

  const made = await makeKey(page, '노트북');
  const { secret } = made;
  assert.match(secret, /^cfk_[0-9A-Za-z]{43}$/);
  const item = card.locator('.apikey', { hasText: '노트북' });
  await item.waitFor();
  assert.ok((await item.textContent()).includes(secret.slice(0, 10)), 'the visible prefix is listed');
  assert.match(await item.textContent(), /마지막 사용 없음/);
  // Copy puts the secret on the clipboard.
  await card.locator('.apikey-new [data-copy]').click();
  await card.locator('.apikey-new [data-copy]', { hasText: '복사했어요' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
  // The examples use this server's /v1.
  await card.locator('.apikey-examples summary').click();
  const examples = await card.locator('.apikey-examples').textContent();
  assert.ok(examples.includes(`curl ${BASE}/v1/chat/completions`), examples);
  assert.ok(examples.includes(`base_url="${BASE}/v1"`), examples);
  await page.screenshot({ path: join(SHOTS, 'apikeys-profile-ko-desktop.png'), fullPage: true });

  // The secret works with OpenAI's wire format and counts against the chat quota.
  const res = await chat(secret, { model: 'confab-general', messages: [{ role: 'user', content: 'hello' }] });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.object, 'chat.completion');
  assert.match(body.choices[0].message.content, /streamed answer/);
  assert.ok(body.usage.total_tokens > 0);

  // Shown once: after a reload the page has the name and prefix, never the secret.
  await page.reload();
  await card.locator('.apikey', { hasText: '노트북' }).waitFor();
  assert.ok(!(await page.content()).includes(secret), 'the secret is not shown again');
  await card.locator('.apikey', { hasText: '노트북' }).locator('.muted', { hasText: /마지막 사용 \d/ }).waitFor();

  // Revoking asks first, then the key stops at once.
  await card.locator('.apikey', { hasText: '노트북' }).locator('[data-revoke]').click();
  const dialog = page.locator('dialog[open]');
  await dialog.waitFor();
  assert.match(await dialog.textContent(), /‘노트북’ 키를 지우면/);
  await dialog.locator('button[type=submit]').click();
  await card.locator('.apikey', { hasText: '노트북' }).waitFor({ state: 'detached' });
  await card.locator('p.muted', { hasText: '아직 만든 키가 없어요.' }).waitFor();
  const refused = await chat(secret, { model: 'confab-general', messages: [{ role: 'user', content: 'again' }] });
  assert.equal(refused.status, 401);
  assert.equal((await refused.json()).error.code, 'invalid_api_key');
  await context.close();
  assert.deepEqual(pageErrors, []);
});

test('in English on a phone, the card reads in English and streams work with the key', async () => {
  const { context, page } = await openUser({ locale: 'en-US', viewport: { width: 390, height: 844 }, tag: 'en' });
  const { card, secret } = await makeKey(page, 'work script');
  assert.match(await card.locator('.apikey-new').textContent(), /This key is shown only now\./);
  assert.match(await card.locator('.apikey', { hasText: 'work script' }).textContent(), /last used never/);
  await page.screenshot({ path: join(SHOTS, 'apikeys-profile-en-phone.png'), fullPage: true });
  const res = await chat(secret, {
    model: 'fake-model',
    stream: true,
    stream_options: { include_usage: true },
    messages: [{ role: 'user', content: 'stream please' }],
  });
  assert.equal(res.status, 200);
  const text = await res.text();
  const data = text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
  assert.equal(data.at(-1), '[DONE]');
  const usage = JSON.parse(data.at(-2));
  assert.deepEqual(usage.choices, []);
  assert.ok(usage.usage.completion_tokens > 0);
  await context.close();
  assert.deepEqual(pageErrors, []);
});
