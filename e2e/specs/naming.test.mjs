// Naming rooms in a real Chromium (see ../run): the start form (a language from the list
// or typed, a convention from that language's usual ones), answers whose names are chips,
// and a chip copied to the clipboard. A Korean user on a 390×844 phone and an English user
// at 1366×900. The e2e model answers in prose, not JSON, so the naming answers come from
// the offline recommender (the fallback the server takes for invalid model output).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE = process.env.CONFAB_URL;
if (!BASE) throw new Error('CONFAB_URL is not set; run e2e/run');

const DESKTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };
const STAMP = Date.now().toString(36);
const PASSWORD = 'correct horse battery staple 42';
const SHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'screenshots');
mkdirSync(SHOTS, { recursive: true });

let browser;
const pageErrors = [];

async function openUser({ locale, viewport, tag }) {
  const email = `naming-${tag}-${STAMP}@example.com`;
  const res = await fetch(`${BASE}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, username: `naming_${tag}_${STAMP}`, password: PASSWORD, password2: PASSWORD }),
  });
  assert.equal(res.status, 201, await res.text());
  const context = await browser.newContext({ viewport, locale, timezoneId: 'Asia/Seoul' });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  await page.goto(`${BASE}/login`);
  await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  await page.click('form button[type=submit]');
  await page.waitForURL(/\/chat$/);
  await page.locator('.composer #message').waitFor();
  return { context, page };
}

/** The values of a select's options. */
const optionValues = (page, selector) => page.locator(`${selector} option`).evaluateAll((os) => os.map((o) => o.value));

/** Waits for the newest answer to be stored and to show its chips; returns the chips' names. */
async function chipsOfLastAnswer(page) {
  const answer = page.locator('.message-assistant[data-status="complete"]').last();
  await answer.locator('.naming-chip').first().waitFor({ timeout: 30_000 });
  return answer.locator('.naming-chip').evaluateAll((cs) => cs.map((c) => c.dataset.name));
}

before(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

after(async () => {
  if (browser) await browser.close();
  assert.deepEqual(pageErrors, [], 'no script errors');
});

test('ko phone: the start form, Korean names as chips, and a chip copied', async () => {
  const { context, page } = await openUser({ locale: 'ko-KR', viewport: PHONE, tag: 'ko' });
  await page.click('label[for="assistant-naming"]');
  const language = page.locator('[id="settings.language"]');
  await language.waitFor();
  // The convention follows the language: Rust has one usual style, TypeScript two.
  await language.selectOption('Rust');
  assert.deepEqual(await optionValues(page, '[id="settings.convention"]'), ['', 'snake_case']);
  await language.selectOption('TypeScript');
  assert.deepEqual(await optionValues(page, '[id="settings.convention"]'), ['', 'camelCase', 'snake_case']);
  assert.equal(await page.inputValue('[id="settings.convention"]'), '', 'the idiom by default');
  await page.screenshot({ path: join(SHOTS, 'naming-start-ko-phone.png') });

  await page.fill('#message', '사용자 목록을 가입일 순으로 정렬하는 함수 이름');
  await page.press('#message', 'Enter');
  await page.waitForURL(/\/chat\/[0-9a-f-]+$/);
  await page.locator('.room-settings', { hasText: 'TypeScript' }).waitFor();
  const names = await chipsOfLastAnswer(page);
  assert.equal(names[0], 'sortUsersBySignupDate');
  assert.ok(names.length >= 3 && names.length <= 5, names.join(', '));
  const body = await page.locator('.message-assistant').last().locator('.message-body').textContent();
  assert.doesNotMatch(body, /Configure|language model|Suggest/, 'a Korean answer is all Korean');

  // A tap copies the name, says so, and the chips fit the phone's width.
  const best = page.locator('.message-assistant').last().locator('.naming-chip').first();
  await best.click();
  await page.locator('.naming-chip[data-copied="true"]').waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), 'sortUsersBySignupDate');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px)`);
  const chipRight = await page.locator('.naming-chip').last().evaluate((c) => c.getBoundingClientRect().right);
  assert.ok(chipRight <= PHONE.width, 'chips stay on screen');
  await page.screenshot({ path: join(SHOTS, 'naming-chips-ko-phone.png') });

  // A constant: SCREAMING_SNAKE_CASE, the second chip copied this time.
  await page.fill('#message', 'HTTP 요청 재시도 횟수 상수 이름');
  await page.press('#message', 'Enter');
  await page.waitForFunction(() => document.querySelectorAll('.message-assistant[data-status="complete"] .naming-chips').length >= 2, null, { timeout: 30_000 });
  const constants = await chipsOfLastAnswer(page);
  assert.equal(constants[0], 'HTTP_REQUEST_RETRY_COUNT');
  await page.locator('.message-assistant').last().locator('.naming-chip').nth(1).click();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), constants[1]);
  await context.close();
});

test('en desktop: a typed language, a chosen convention, and chips after a reload', async () => {
  const { context, page } = await openUser({ locale: 'en-US', viewport: DESKTOP, tag: 'en' });
  await page.click('label[for="assistant-naming"]');
  const language = page.locator('[id="settings.language"]');
  await language.selectOption('__other__');
  const other = page.locator('#naming-language-other');
  await other.waitFor();
  await other.fill('Elixir');
  assert.deepEqual(await optionValues(page, '[id="settings.convention"]'),
    ['', 'camelCase', 'snake_case', 'PascalCase', 'kebab-case', 'SCREAMING_SNAKE_CASE']);
  await page.selectOption('[id="settings.convention"]', 'snake_case');
  await page.fill('#message', 'name for a function that validates an email address');
  await page.press('#message', 'Enter');
  await page.waitForURL(/\/chat\/[0-9a-f-]+$/);
  await page.locator('.room-settings', { hasText: 'Elixir' }).waitFor();
  assert.match(await page.textContent('.room-settings'), /snake_case/);
  const names = await chipsOfLastAnswer(page);
  assert.equal(names[0], 'validate_email_address');
  // Stored answers get their chips too.
  await page.reload();
  assert.deepEqual(await chipsOfLastAnswer(page), names);
  await page.locator('.naming-chip').first().click();
  await page.locator('.naming-chip[data-copied="true"]').waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), 'validate_email_address');
  await page.screenshot({ path: join(SHOTS, 'naming-chips-en-desktop.png') });
  await context.close();
});
