// The community board in a real Chromium (see ../run): a member writes a post with a
// Markdown preview and a thumbnail (previewed before upload, shown re-encoded after),
// finds it in the list, comments and replies; a member is refused a notice (no such
// category offered, and a forced one refused with the reason); a manager is offered it.
// Korean on a phone and English on a desktop; screenshots in e2e/screenshots/. The manager
// is promoted with `confab user promote` (e2e/run passes the binary and data directory).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE = process.env.CONFAB_URL;
if (!BASE) throw new Error('CONFAB_URL is not set; run e2e/run');

const DESKTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };
const STAMP = Date.now().toString(36);
const PASSWORD = 'board posting passphrase 42';
const SHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'screenshots');
mkdirSync(SHOTS, { recursive: true });
const shot = (page, name) => page.screenshot({ path: join(SHOTS, `board-${name}.png`), fullPage: true });

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

/** Signs up in a fresh context; `email` may be given (the manager's is set in e2e/run). */
async function newUser(locale, viewport, name, email = `${name}-${STAMP}@example.com`) {
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
  await page.fill('#email', email);
  await page.fill('#username', `${name}_${STAMP}`);
  await page.fill('#password', PASSWORD);
  await page.fill('#password2', PASSWORD);
  await page.click('form button[type=submit]');
  await page.waitForURL(/\/chat$/);
  return { context, page };
}

/** A 1200×800 JPEG drawn by the browser itself. */
async function photo(page) {
  const dataUrl = await page.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 1200;
    canvas.height = 800;
    const g = canvas.getContext('2d');
    const grad = g.createLinearGradient(0, 0, 1200, 800);
    grad.addColorStop(0, '#2f5bd3');
    grad.addColorStop(1, '#f2a541');
    g.fillStyle = grad;
    g.fillRect(0, 0, 1200, 800);
    g.fillStyle = '#fff';
    g.beginPath();
    g.arc(600, 400, 180, 0, Math.PI * 2);
    g.fill();
    return canvas.toDataURL('image/jpeg', 0.9);
  });
  return Buffer.from(dataUrl.split(',')[1], 'base64');
}

let postPath;

test('a member writes a post with a preview and a thumbnail (Korean, phone)', async () => {
  const { page, context } = await newUser('ko-KR', PHONE, 'writer');
  await page.goto(`${BASE}/board`);
  await page.click('a[href="/board/new"]');
  await page.waitForURL(/\/board\/new$/);
  await page.waitForSelector('#post-category option', { state: 'attached' });
  const options = await page.$$eval('#post-category option', (els) => els.map((o) => o.value));
  assert.deepEqual(options, ['question', 'chat'], 'a member is not offered notices');

  await page.fill('#post-title', `변수 이름 짓는 법 ${STAMP}`);
  await page.fill('#post-content', '**굵게** 쓴 본문과 `코드`.\n\n<img src=x onerror=alert(1)>');
  await page.click('.editor-tabs button:nth-child(2)');
  await page.waitForSelector('#post-preview strong');
  assert.equal(await page.textContent('#post-preview strong'), '굵게');
  assert.equal(await page.$('#post-preview img'), null, 'no images in the preview');
  await page.click('.editor-tabs button:nth-child(1)');

  await page.setInputFiles('#post-file', { name: 'photo.jpg', mimeType: 'image/jpeg', buffer: await photo(page) });
  await page.waitForFunction(() => {
    const img = document.querySelector('.board-thumb-preview');
    return img && !img.hidden && img.src.startsWith('data:image/') && img.naturalWidth === 1200;
  });
  await shot(page, 'editor-ko-phone');
  await page.click('form.board-editor button[type=submit]');
  await page.waitForURL(/\/board\/[0-9a-f-]{36}$/);
  postPath = new URL(page.url()).pathname;

  const thumb = await page.waitForSelector('img.board-post-thumb');
  await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, thumb);
  const size = await thumb.evaluate((el) => [el.naturalWidth, el.naturalHeight, el.getAttribute('src')]);
  assert.equal(size[0], 640, 'the server re-encoded it to 640 px wide');
  assert.ok(Math.abs(size[1] - 427) <= 1, `its height follows (${size[1]})`);
  assert.match(size[2], /^\/api\/media\/[0-9a-f]{32}\.jpg$/);
  assert.equal(await page.textContent('.board-content strong'), '굵게');

  // The list shows it with its thumbnail and counts; search finds it by a Korean substring.
  await page.goto(`${BASE}/board?q=${encodeURIComponent('이름 짓는')}`);
  const item = await page.waitForSelector('.board-item');
  assert.match(await item.textContent(), new RegExp(STAMP));
  assert.match(await item.$eval('img.board-thumb', (el) => el.getAttribute('src')), /^\/api\/media\//);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `no sideways scrolling on a phone (${width}px)`);
  await shot(page, 'list-ko-phone');
  assert.equal(await page.evaluate(() => window.__xss), 0);
  await context.close();
});

test('members comment and reply; the author may delete their comment (English, desktop)', async () => {
  assert.ok(postPath, 'the previous step made a post');
  const { page, context } = await newUser('en-US', DESKTOP, 'reader');
  await page.goto(`${BASE}${postPath}`);
  await page.waitForSelector('#comment-new');
  await page.fill('#comment-new', 'Great tips, **thanks**!');
  await page.click('.board-comments > form button[type=submit]');
  const comment = await page.waitForSelector('.comments > li.comment');
  assert.equal(await comment.$eval('.comment-body strong', (el) => el.textContent), 'thanks');
  await comment.$eval('.comment-actions button:not(.danger-text)', (el) => el.click());
  await page.fill('.reply-form textarea', 'And a reply under it.');
  await page.click('.reply-form button[type=submit]');
  await page.waitForSelector('.replies > li.comment');
  assert.match(await page.textContent('.replies > li.comment .comment-body'), /reply under it/);
  assert.match(await page.textContent('#comments-title'), /2/);

  // After a reload both are there, with the counts.
  await page.reload();
  await page.waitForSelector('.replies > li.comment');
  assert.match(await page.textContent('.board-meta'), /2 comments/);
  await shot(page, 'post-en-desktop');

  // Deleting the top comment that has a reply leaves a placeholder.
  await page.click('.comments > li.comment > .comment-actions .danger-text');
  await page.click('dialog button[value="ok"]');
  await page.waitForSelector('.comments > li.comment-deleted');
  assert.match(await page.textContent('.comment-deleted'), /deleted/);
  assert.equal(await page.evaluate(() => window.__xss), 0);
  await context.close();
});

test('a member is refused a notice; a manager is offered one', async () => {
  const { page, context } = await newUser('ko-KR', DESKTOP, 'member');
  await page.goto(`${BASE}/board/new`);
  await page.waitForSelector('#post-category');
  // Forcing the category past the UI: the server refuses, and the page says why.
  await page.evaluate(() => {
    const select = document.querySelector('#post-category');
    const option = document.createElement('option');
    option.value = 'notice';
    option.textContent = 'notice';
    select.append(option);
    select.value = 'notice';
  });
  await page.fill('#post-title', '몰래 쓰는 공지');
  await page.fill('#post-content', '공지처럼 보이고 싶어요');
  await page.click('form.board-editor button[type=submit]');
  await page.waitForSelector('.board-editor .form-error:not([hidden])');
  assert.equal(await page.textContent('.board-editor .form-error'), '공지는 매니저만 쓸 수 있어요.');
  assert.match(page.url(), /\/board\/new$/);
  assert.equal(await page.inputValue('#post-title'), '몰래 쓰는 공지', 'what was typed stays');
  await context.close();

  // A manager: signed up, then promoted with the CLI beside the running server.
  const email = `manager-${STAMP}@example.com`;
  const manager = await newUser('ko-KR', DESKTOP, 'manager', email);
  execFileSync(process.env.CONFAB_E2E_BIN, ['user', 'promote', email, '--role', 'manager'], {
    env: { ...process.env, CONFAB_DATA_DIR: process.env.CONFAB_E2E_DATA_DIR },
    stdio: 'pipe',
  });
  await manager.page.goto(`${BASE}/board/new`);
  await manager.page.waitForSelector('#post-category');
  const options = await manager.page.$$eval('#post-category option', (els) => els.map((o) => o.value));
  assert.deepEqual(options, ['notice', 'question', 'chat']);
  await manager.page.selectOption('#post-category', 'notice');
  await manager.page.fill('#post-title', `공지 ${STAMP}`);
  await manager.page.fill('#post-content', '게시판 이용 규칙입니다.');
  await manager.page.click('form.board-editor button[type=submit]');
  await manager.page.waitForURL(/\/board\/[0-9a-f-]{36}$/);
  await manager.page.goto(`${BASE}/board?category=notice`);
  await manager.page.waitForSelector('.board-item');
  assert.match(await manager.page.textContent('.board-list'), new RegExp(`공지 ${STAMP}`));
  await shot(manager.page, 'notices-ko-desktop');
  await manager.context.close();
});

test('no page errors', () => {
  assert.deepEqual(pageErrors, []);
});
