// The Singapore travel planner in a real Chromium (see ../run): a field error next to its
// control, making a plan (day timeline, overview map, reasons), reopening it from the saved
// list and by a direct load, printing (only the plan on paper), and the follow-up chat.
// In English at desktop size and in Korean on a phone. The fake model answers prose, so
// plans are made from the data (the model's answer is rejected and the offline plan used).

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
const PASSWORD = 'singapore travel passphrase 42';
const SHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'screenshots');
mkdirSync(SHOTS, { recursive: true });
const shot = (page, name) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

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
  assert.deepEqual(pageErrors, []);
});

async function newUser(locale, viewport, name) {
  const context = await browser.newContext({ viewport, locale });
  await context.addInitScript(() => {
    window.__xss = 0;
    window.alert = () => {
      window.__xss += 1;
    };
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (error) => pageErrors.push(`${name}: ${error}`));
  await page.goto(`${BASE}/signup`);
  await page.fill('#email', `${name}-${STAMP}@example.com`);
  await page.fill('#username', `${name}_${STAMP}`);
  await page.fill('#password', PASSWORD);
  await page.fill('#password2', PASSWORD);
  await page.click('form button[type=submit]');
  await page.waitForURL(/\/chat$/);
  return { context, page };
}

/** `YYYY-MM-DD` `days` from today in the browser's zone. */
function dayFromToday(days) {
  const d = new Date();
  d.setDate(d.getDate() + days);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

test('English, desktop: a field error, a plan made, reopened and printed', async () => {
  const { context, page } = await newUser('en-US', DESKTOP, 'traveller');
  await page.goto(`${BASE}/travel`);
  await page.waitForSelector('form.travel-form');
  // The default budget is filled in; two styles and one transport are on.
  assert.ok(Number(await page.inputValue('#budget_krw_per_person')) > 0);
  assert.equal(await page.locator('#styles [aria-pressed="true"]').count(), 2);

  // An arrival before the departure: the server's error shows next to the arrival date.
  await page.fill('#departure_date', dayFromToday(20));
  await page.fill('#arrival_date', dayFromToday(18));
  await page.click('form.travel-form button[type=submit]');
  await page.waitForSelector('#arrival_date-error:not([hidden])');
  assert.match(await page.textContent('#arrival_date-error'), /on or after the departure/);
  assert.equal(await page.inputValue('#departure_date'), dayFromToday(20), 'what was typed stays');

  // Three days, with nature added.
  await page.fill('#arrival_date', dayFromToday(22));
  await page.click('#styles button[data-value="nature"]');
  await page.click('form.travel-form button[type=submit]');
  await page.waitForURL(/\/travel\/plans\/[0-9a-f-]+$/);
  const url = page.url();
  await page.waitForSelector('.timeline .day');
  assert.equal(await page.locator('.timeline .day').count(), 3);
  assert.equal(await page.locator('.slot-card').count(), 9);
  assert.ok((await page.locator('.slot-card .stop').count()) >= 18, 'two to five stops a slot');
  assert.ok((await page.locator('.slot-reason').first().textContent()).length > 10);
  // The overview: Singapore's shape and the first day's numbered stops.
  assert.equal(await page.locator('svg.travel-map polygon.map-land').count(), 1);
  assert.ok((await page.locator('svg.travel-map circle.map-dot').count()) >= 120);
  const dayStops = await page.locator('svg.travel-map .map-stop').count();
  assert.ok(dayStops >= 6, `${dayStops} stops on day 1`);
  await page.click('.map-days button[data-day="0"]');
  assert.ok((await page.locator('svg.travel-map .map-stop').count()) > dayStops);
  await shot(page, 'travel-plan-desktop-en');

  // Printing keeps the plan and drops the chat, the navigation and the buttons.
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('.travel-chat').isVisible(), false);
  assert.equal(await page.locator('.topbar').isVisible(), false);
  assert.equal(await page.locator('.page-actions button').first().isVisible(), false);
  assert.equal(await page.locator('.timeline').isVisible(), true);
  await page.emulateMedia({ media: 'screen' });

  // Reopen from the saved list, then by loading the address directly.
  const title = await page.textContent('h1');
  await page.goto(`${BASE}/travel`);
  await page.waitForSelector('.plan-list .plan-item');
  await page.click(`.plan-list a:has-text("${title}")`);
  await page.waitForURL(url);
  await page.waitForSelector('.timeline .day');
  await page.reload();
  await page.waitForSelector('.timeline .day');
  assert.equal(await page.textContent('h1'), title);
  assert.equal(await page.locator('.slot-card').count(), 9);
  await context.close();
});

test('Korean, phone: a plan fits the screen and the follow-up chat answers', async () => {
  const { context, page } = await newUser('ko-KR', PHONE, 'yeohaeng');
  await page.goto(`${BASE}/travel`);
  await page.waitForSelector('form.travel-form');
  assert.equal(await page.textContent('#plan-h'), '새 여행 계획');
  await page.click('form.travel-form button[type=submit]');
  await page.waitForURL(/\/travel\/plans\/[0-9a-f-]+$/);
  await page.waitForSelector('.timeline .day');
  assert.match(await page.textContent('h1'), /싱가포르 3박 4일/);
  assert.match(await page.textContent('#day-1-h'), /1일차/);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
  await shot(page, 'travel-plan-phone-ko');

  await page.fill('#travel-question', '1일차 저녁을 실내로 바꿔줘');
  await page.click('.travel-ask button[type=submit]');
  await page.waitForSelector('.travel-msg.from-assistant');
  assert.equal(await page.locator('.travel-msg.from-user').textContent(), '1일차 저녁을 실내로 바꿔줘');
  assert.match(await page.locator('.travel-msg.from-assistant').textContent(), /streamed answer/);
  assert.equal(await page.evaluate(() => window.__xss), 0);
  assert.equal(await page.locator('.travel-msg script, .travel-msg img').count(), 0);
  // The conversation is kept with the plan.
  await page.reload();
  await page.waitForSelector('.travel-msg.from-assistant');
  assert.equal(await page.locator('.travel-msg').count(), 2);
  await shot(page, 'travel-chat-phone-ko');
  await context.close();
});
