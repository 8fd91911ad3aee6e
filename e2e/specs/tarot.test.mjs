// Tarot in a real Chromium (see ../run): the encyclopedia without login, a whole reading
// picked with the keyboard on a phone in Korean under reduced motion, the archive (reopen,
// delete), an English reading at desktop size with the flip animation, and the shops page
// saying it is not configured (the e2e server has no Kakao key). Steps run in order.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const BASE = process.env.CONFAB_URL;
if (!BASE) throw new Error('CONFAB_URL is not set; run e2e/run');

const DESKTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };
const STAMP = Date.now().toString(36);
const PASSWORD = 'tarot reading passphrase 42';
const SHOTS = new URL('../screenshots/', import.meta.url).pathname;

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

async function newContext(locale, viewport, options = {}) {
  const context = await browser.newContext({ viewport, locale, ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  return { context, page };
}

async function signUp(page, name) {
  await page.goto(`${BASE}/signup`);
  await page.fill('#email', `${name}-${STAMP}@example.com`);
  await page.fill('#username', `${name}_${STAMP}`);
  await page.fill('#password', PASSWORD);
  await page.fill('#password2', PASSWORD);
  await page.click('form button[type=submit]');
  await page.waitForURL(/\/chat$/);
}

/** Shuffles and picks five cards with the keyboard only; returns the picked indexes. */
async function pickFiveByKeyboard(page) {
  await page.click('.tarot-form .actions button');
  await page.waitForSelector('.tarot-table button');
  const count = await page.locator('.tarot-table button').count();
  assert.equal(count, 30);
  // Shuffling focuses the first card.
  assert.equal(await page.evaluate(() => document.activeElement.classList.contains('tarot-pick')), true);
  for (let i = 0; i < 5; i += 1) {
    if (i) await page.keyboard.press('ArrowRight');
    await page.keyboard.press(i % 2 ? 'Space' : 'Enter');
  }
  assert.equal(await page.locator('.tarot-table button[aria-pressed=true]').count(), 5);
  // A sixth card cannot be added.
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('.tarot-table button[aria-pressed=true]').count(), 5);
}

test('the encyclopedia lists 78 cards and opens one, without login', async () => {
  const { context, page } = await newContext('ko-KR', PHONE);
  await page.goto(`${BASE}/tarot`);
  await page.waitForSelector('.tarot-grid');
  assert.equal(await page.locator('.tarot-tile').count(), 78);
  assert.equal(await page.locator('.tarot-group h2').count(), 5);
  await page.screenshot({ path: `${SHOTS}tarot-deck-ko-phone.png`, fullPage: false });
  await page.click('a.tarot-tile[data-num="16"]');
  await page.waitForURL(/\/tarot\?card=16$/);
  await page.waitForSelector('.tarot-upright');
  assert.equal(await page.locator('h1').textContent(), '탑');
  assert.match(await page.locator('.tarot-reversed').textContent(), /역방향/);
  const image = await page.locator('.tarot-detail img').evaluate((img) => img.complete && img.naturalWidth > 0);
  assert.equal(image, true, 'the card face drew');
  await page.screenshot({ path: `${SHOTS}tarot-card-ko-phone.png`, fullPage: true });
  await page.reload();
  await page.waitForSelector('.tarot-upright');
  await context.close();
});

test('a whole reading on a phone in Korean, picked by keyboard, then the archive', async () => {
  const { context, page } = await newContext('ko-KR', PHONE, { reducedMotion: 'reduce' });
  await signUp(page, 'tarotko');
  await page.goto(`${BASE}/tarot/reading`);
  await page.waitForSelector('#concern');
  await page.selectOption('#subject', 'career');
  await page.fill('#concern', '<img src=x onerror=alert(1)> 이직을 해도 괜찮을까요?');
  await pickFiveByKeyboard(page);
  const transition = await page.locator('.tarot-flip').first().evaluate((el) => getComputedStyle(el).transitionDuration);
  assert.equal(transition, '0s', 'no flip animation under reduced motion');
  assert.equal(await page.locator('.tarot-slots .tarot-slot.is-filled').count(), 5);
  await page.screenshot({ path: `${SHOTS}tarot-picking-ko-phone.png`, fullPage: true });
  await page.click('.tarot-form button[type=submit]');
  await page.waitForSelector('.tarot-reading');
  for (const s of ['greeting', 'past', 'present', 'future', 'advice', 'conclusion']) {
    const text = await page.locator(`.tarot-section[data-section="${s}"]`).textContent();
    assert.ok(text.length > 40, s);
  }
  assert.equal(await page.locator('.tarot-reading .tarot-spread img').count(), 5);
  // The question is shown as text, never as markup.
  assert.match(await page.locator('.tarot-concern').textContent(), /<img src=x/);
  assert.equal(await page.locator('.tarot-reading img[src="x"]').count(), 0);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(overflow, false, 'fits the phone width');
  await page.screenshot({ path: `${SHOTS}tarot-reading-ko-phone.png`, fullPage: true });

  await page.click('a[href="/tarot/readings"].button');
  await page.waitForSelector('.tarot-archive-item');
  assert.equal(await page.locator('.tarot-archive-item').count(), 1);
  await page.screenshot({ path: `${SHOTS}tarot-archive-ko-phone.png`, fullPage: true });
  await page.click('.tarot-archive-link');
  await page.waitForURL(/\/tarot\/readings\/[0-9a-f-]+$/);
  await page.waitForSelector('.tarot-reading');
  await page.reload();
  await page.waitForSelector('.tarot-reading');
  await page.click('.button-danger');
  await page.click('dialog button[value=ok]');
  await page.waitForURL(/\/tarot\/readings$/);
  await page.waitForSelector('.tarot-archive .empty');
  await context.close();
});

test('an English reading at desktop size turns the cards over with an animation', async () => {
  const { context, page } = await newContext('en-US', DESKTOP);
  await signUp(page, 'taroten');
  await page.goto(`${BASE}/tarot/reading`);
  await page.waitForSelector('#concern');
  await page.fill('#concern', 'Should I move to a new city this year?');
  await pickFiveByKeyboard(page);
  const transition = await page.locator('.tarot-flip').first().evaluate((el) => getComputedStyle(el).transitionDuration);
  assert.notEqual(transition, '0s');
  // Putting a card back frees its place.
  await page.locator('.tarot-table button[aria-pressed=true]').first().click();
  assert.equal(await page.locator('.tarot-table button[aria-pressed=true]').count(), 4);
  assert.equal(await page.locator('.tarot-form button[type=submit]').isDisabled(), true);
  await page.locator('.tarot-table button[aria-pressed=false]').last().click();
  await page.click('.tarot-form button[type=submit]');
  await page.waitForSelector('.tarot-reading');
  const past = await page.locator('.tarot-section[data-section="past"]').textContent();
  assert.doesNotMatch(past, /[가-힣]/, 'the reading is in English');
  await page.screenshot({ path: `${SHOTS}tarot-reading-en-desktop.png`, fullPage: true });
  await page.goto(`${BASE}/tarot/shops`);
  await page.waitForSelector('.form-error');
  assert.match(await page.locator('.form-error').textContent(), /not set up/);
  await context.close();
});
