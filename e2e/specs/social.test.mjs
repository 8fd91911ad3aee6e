// Social login in a real Chromium: the login page shows a button per configured provider
// (only GitHub here: ../run points it at examples/fake_oauth), a plain link takes the
// browser through the fake provider and back, and the user lands signed in; the profile
// lists the linked provider; a provider's refusal is shown on the login page.

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

let browser;
let context;
let page;
const pageErrors = [];

before(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'ko-KR' });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => pageErrors.push(String(error)));
});

after(async () => {
  if (browser) await browser.close();
});

test('the login page shows only the configured provider, with its mark', async () => {
  await page.goto(BASE + '/login');
  const github = page.locator('a.social-github');
  await github.waitFor();
  assert.equal(await github.textContent(), '깃허브로 계속하기');
  assert.equal(await github.locator('svg').count(), 1);
  assert.equal(await page.locator('a.social-kakao, a.social-google').count(), 0);
  assert.match(await github.getAttribute('href'), /^\/api\/auth\/oauth\/github\/authorize/);
  await page.screenshot({ path: join(SHOTS, 'social-login-desktop.png'), fullPage: true });
});

test('continuing with GitHub goes through the provider and lands signed in', async () => {
  await page.click('a.social-github');
  await page.waitForURL((url) => url.pathname === '/chat');
  await page.locator('#logout').waitFor();
  await page.locator('#nav .nav-user', { hasText: 'octo-e2e' }).waitFor();
  // Signed in through the refresh cookie: no token in the address, none in storage.
  assert.ok(!page.url().includes('token'), page.url());
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.ok(!/access_token|refresh_token/.test(stored), stored);
  const cookies = await context.cookies();
  assert.ok(cookies.some((c) => c.name === 'confab_refresh' && c.httpOnly), 'refresh cookie set');
  assert.ok(!cookies.some((c) => c.name === 'confab_oauth'), 'the flow cookie is spent');
});

test('the profile lists GitHub as linked, with the provider email', async () => {
  await page.goto(BASE + '/profile');
  const item = page.locator('.identity[data-provider="github"]');
  await item.waitFor();
  assert.match(await item.textContent(), /octo-e2e@example\.com/);
  assert.equal(await item.locator('[data-unlink="github"]').count(), 1);
  await page.screenshot({ path: join(SHOTS, 'social-profile-desktop.png'), fullPage: true });
  // It is this account's only way to log in: unlinking is refused and says why.
  await item.locator('[data-unlink="github"]').click();
  const box = page.locator('section[aria-labelledby="identities-h"] .form-error');
  await box.waitFor();
  assert.match(await box.textContent(), /마지막 방법/);
  assert.equal(await page.locator('.identity[data-provider="github"] [data-unlink]').count(), 1);
});

test('a refusal at the provider is explained on the login page, in Korean', async () => {
  await page.click('#logout');
  await page.goto(BASE + '/login?oauth_error=access_denied&provider=github');
  const box = page.locator('form .form-error');
  await box.waitFor();
  assert.equal((await box.textContent()).trim(), '깃허브 로그인을 취소했어요.');
  assert.deepEqual(pageErrors, []);
});
