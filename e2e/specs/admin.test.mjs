// The admin page in a real Chromium. An account listed in CONFAB_ADMIN_EMAILS (set by
// e2e/run) becomes admin at sign-up; the header shows it the Admin link, members never.
// In Korean on a desktop: find a member, make them a manager, set a daily limit, and
// deactivate them (their token stops at once); the usage tab draws inline SVG charts with
// text summaries and a table; the audit log reads as Korean sentences with particles that
// fit each word. In English on a phone: the charts and the log render, and a member who
// opens /admin is told it is for admins.

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
const ADMIN_EMAIL = 'admin-e2e@example.com'; // listed in CONFAB_ADMIN_EMAILS by e2e/run
const SHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'screenshots');
mkdirSync(SHOTS, { recursive: true });
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

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

async function api(method, path, { token, body } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  return fetch(`${BASE}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

async function signup(email, username) {
  const res = await api('POST', '/api/auth/signup', { body: { email, username, password: PASSWORD, password2: PASSWORD } });
  assert.equal(res.status, 201, await res.text());
}

async function login(email) {
  const res = await api('POST', '/api/auth/login', { body: { email, password: PASSWORD } });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  return JSON.parse(text);
}

async function openAs(email, { locale, viewport }) {
  const context = await browser.newContext({ viewport, locale, timezoneId: 'Asia/Seoul' });
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

let adminReady = null;
/** The admin account (signed up once per server: the address is fixed by e2e/run). */
function ensureAdmin() {
  adminReady ||= (async () => {
    const res = await api('POST', '/api/auth/signup', { body: { email: ADMIN_EMAIL, username: 'admin_e2e', password: PASSWORD, password2: PASSWORD } });
    assert.ok(res.status === 201 || res.status === 400, await res.text());
    const tokens = await login(ADMIN_EMAIL);
    assert.equal(tokens.user.role, 'admin', 'CONFAB_ADMIN_EMAILS made the account admin');
  })();
  return adminReady;
}

/** A member who made `sends` chat calls today; returns {email, username, token, id}. */
async function memberWithCalls(tag, sends) {
  const email = `admin-${tag}-${STAMP}@example.com`;
  const username = `user_${tag}_${STAMP}`;
  await signup(email, username);
  const tokens = await login(email);
  const room = await api('POST', '/api/rooms', { token: tokens.access_token, body: { assistant: 'general' } });
  const text = await room.text();
  assert.equal(room.status, 201, text);
  const { id } = JSON.parse(text);
  for (let i = 0; i < sends; i += 1) {
    const res = await api('POST', `/api/rooms/${id}/messages`, { token: tokens.access_token, body: { content: `question ${i}` } });
    assert.equal(res.status, 200, await res.text());
  }
  return { email, username, token: tokens.access_token, id: tokens.user.id };
}

test('an admin manages a member and reads usage and the audit log (Korean, desktop)', async () => {
  await ensureAdmin();
  const member = await memberWithCalls('ko', 2);
  const { context, page } = await openAs(ADMIN_EMAIL, { locale: 'ko-KR', viewport: DESKTOP });

  // The header offers the admin page to admins.
  const link = page.locator('#nav a[href="/admin"]');
  assert.equal(await link.textContent(), '관리');
  await link.click();
  await page.waitForURL(/\/admin$/);
  await page.waitForSelector('table.admin-users tbody tr');
  assert.equal(await page.getAttribute('[role=tab][data-tab=users]', 'aria-selected'), 'true');

  // Search finds the member with today's use.
  await page.fill('#admin-q', member.username.toUpperCase());
  await page.click('form.admin-filters button[type=submit]');
  const row = page.locator(`tr[data-user="${member.id}"]`);
  // The member is in the unfiltered list too: wait for the searched list to replace it
  // (counting at once raced with the reload and saw both rows).
  await page.waitForFunction(
    () => document.querySelectorAll('table.admin-users tbody tr').length === 1,
    null,
    { timeout: 10_000 },
  ).catch(() => {});
  await row.waitFor();
  assert.equal(await page.locator('table.admin-users tbody tr').count(), 1);
  assert.match(await row.textContent(), /채팅 2\/4/);
  assert.match(await row.textContent(), /일반 회원/);

  // Role: member → manager.
  await row.locator('[data-manage]').click();
  const editor = page.locator('.admin-editor');
  await editor.waitFor();
  await editor.locator('select[name=role]').selectOption('manager');
  await editor.locator('form[data-role-form] button[type=submit]').click();
  await page.waitForSelector('#flash:not([hidden])');
  assert.equal(await page.textContent('#flash'), `${member.username}의 역할을 매니저로 바꿨어요.`);
  await page.waitForFunction((id) => document.querySelector(`tr[data-user="${id}"]`).textContent.includes('매니저'), member.id);
  const me = await (await api('GET', '/api/me', { token: member.token })).json();
  assert.equal(me.role, 'manager', 'the change applies to the same token at once');

  // A bad limit is named next to its field; then chat 1 and tarot unlimited are saved.
  await page.fill(`#limit-chat-${member.id}`, '-3');
  await page.click(`form[data-limits-form="${member.id}"] button[type=submit]`);
  const chatError = page.locator(`#limit-chat-${member.id}-error`);
  await chatError.waitFor();
  assert.ok((await chatError.textContent()).length > 0);
  await page.fill(`#limit-chat-${member.id}`, '1');
  await page.fill(`#limit-tarot-${member.id}`, '0');
  await page.click(`form[data-limits-form="${member.id}"] button[type=submit]`);
  await page.waitForFunction((id) => document.querySelector(`tr[data-user="${id}"]`).textContent.includes('2/1'), member.id);
  const quota = await (await api('GET', '/api/me/quota', { token: member.token })).json();
  assert.equal(quota.scopes[0].limit, 1);
  assert.equal(quota.scopes[2].limit, null);

  // Deactivation asks first, then ends the member's session at once.
  await page.click(`[data-toggle-active="${member.id}"]`);
  await page.waitForSelector('dialog.dialog');
  assert.equal(await page.textContent('#dialog-title'), `${member.username} 계정을 비활성화할까요?`);
  await page.click('dialog.dialog button[value=ok]');
  await page.waitForFunction((id) => document.querySelector(`tr[data-user="${id}"] .badge-error`)?.textContent === '비활성', member.id);
  assert.equal((await api('GET', '/api/me', { token: member.token })).status, 401);
  await page.screenshot({ path: join(SHOTS, 'admin-users-ko-desktop.png'), fullPage: true });

  // Usage: totals, a stacked SVG chart with a summary, the numbers as a table, top users.
  await page.click('[role=tab][data-tab=usage]');
  await page.waitForSelector('svg.admin-chart[role=img]');
  assert.match(page.url(), /\?tab=usage$/);
  const label = await page.getAttribute('svg.admin-chart', 'aria-label');
  assert.match(label, /날짜별 요청 수 막대 그래프/);
  assert.equal(await page.locator('svg.admin-chart .admin-bar').count(), 14);
  const foreign = await page.evaluate(() => [...document.querySelectorAll('script[src], link[href], img[src], iframe')]
    .map((el) => el.src || el.href)
    .filter((url) => new URL(url, window.location.href).origin !== window.location.origin));
  assert.deepEqual(foreign, [], 'no chart library, no CDN');
  await page.click('.admin-figure details summary');
  const today = page.locator('.admin-usage-table tbody tr').last();
  const chatToday = Number((await today.locator('td').first().textContent()).replace(/,/g, ''));
  assert.ok(chatToday >= 2, `today's chat calls: ${chatToday}`);
  const topRow = page.locator(`.admin-top-list li[data-user="${member.id}"]`);
  assert.match(await topRow.textContent(), /2회 \(채팅 2\)/);
  // A range that ends before it starts is refused next to the field, in Korean.
  await page.fill('#usage-from', '2026-03-02');
  await page.fill('#usage-to', '2026-03-01');
  await page.click('.admin-panel form button[type=submit]');
  await page.waitForSelector('#usage-to-error:not([hidden])');
  assert.equal(await page.textContent('#usage-to-error'), '종료일은 시작일과 같거나 그 뒤여야 해요.');
  await page.screenshot({ path: join(SHOTS, 'admin-usage-ko-desktop.png'), fullPage: true });

  // A reload keeps the tab.
  await page.reload();
  await page.waitForSelector('svg.admin-chart[role=img]');
  assert.equal(await page.getAttribute('[role=tab][data-tab=usage]', 'aria-selected'), 'true');

  // The audit log: newest first, one Korean sentence each, particles fitted.
  await page.click('[role=tab][data-tab=audit]');
  await page.waitForSelector('.admin-audit li');
  const lines = await page.$$eval('.admin-audit li .admin-audit-text', (els) => els.map((e) => e.textContent));
  const mine = lines.filter((line) => line.includes(member.username));
  assert.deepEqual(mine, [
    `admin_e2e가 ${member.username}의 계정을 비활성화했어요.`,
    `admin_e2e가 ${member.username}의 타로 하루 한도를 기본값에서 무제한으로 바꿨어요.`,
    `admin_e2e가 ${member.username}의 채팅 하루 한도를 기본값에서 1회로 바꿨어요.`,
    `admin_e2e가 ${member.username}의 역할을 일반 회원에서 매니저로 바꿨어요.`,
  ]);
  assert.ok(lines.includes('CONFAB_ADMIN_EMAILS 설정에 따라 admin_e2e가 관리자가 되었어요.'), lines.join('\n'));
  await page.screenshot({ path: join(SHOTS, 'admin-audit-ko-desktop.png'), fullPage: true });
  await context.close();
  assert.deepEqual(pageErrors, []);
});

test('on a phone in English the charts and the log render; members are kept out', async () => {
  await ensureAdmin();
  const member = await memberWithCalls('en', 1);
  const { context, page } = await openAs(ADMIN_EMAIL, { locale: 'en-US', viewport: PHONE });
  await page.goto(`${BASE}/admin?tab=usage`);
  await page.waitForSelector('svg.admin-chart[role=img]');
  assert.match(await page.getAttribute('svg.admin-chart', 'aria-label'), /^Bar chart of calls per day/);
  assert.equal(await page.textContent('[role=tab][aria-selected=true]'), 'Usage');
  const svgBox = await page.locator('svg.admin-chart').first().boundingBox();
  assert.ok(svgBox.width <= PHONE.width, 'the chart fits the phone');
  await page.locator('.admin-top details summary').click();
  assert.match(await page.locator(`.admin-top-list li[data-user="${member.id}"]`).textContent(), /1 call \(Chat 1\)/);
  await page.screenshot({ path: join(SHOTS, 'admin-usage-en-phone.png'), fullPage: true });
  // Keyboard: arrow keys move between tabs.
  await page.focus('[role=tab][data-tab=usage]');
  await page.keyboard.press('ArrowRight');
  await page.waitForSelector('.admin-audit li');
  assert.equal(await page.getAttribute('[role=tab][data-tab=audit]', 'aria-selected'), 'true');
  assert.match(await page.textContent('.admin-audit li .admin-audit-text'), /^admin_e2e /);
  // The users table scrolls sideways inside its box; the page itself does not.
  await page.click('[role=tab][data-tab=users]');
  await page.waitForSelector('table.admin-users tbody tr');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways page scroll');
  await page.screenshot({ path: join(SHOTS, 'admin-users-en-phone.png'), fullPage: true });
  await context.close();

  const memberView = await openAs(member.email, { locale: 'en-US', viewport: PHONE });
  assert.equal(await memberView.page.locator('#nav a[href="/admin"]').count(), 0, 'no Admin link for members');
  await memberView.page.goto(`${BASE}/admin`);
  await memberView.page.waitForSelector('main p.empty');
  assert.equal(await memberView.page.textContent('main p.empty'), 'Only admins can see this page.');
  assert.equal((await api('GET', '/api/admin/users', { token: member.token })).status, 403);
  await memberView.context.close();
  assert.deepEqual(pageErrors, []);
});
