// The mock interview in a real Chromium (see ../run): the intent behind a hint, code in
// questions shown as code, term lists told to explain, "finish now" always asking, resuming
// an unfinished session, the favourites filter and empty state, the start button at 0 quota
// left, and the spacing under cards. In English at desktop size and in Korean on a phone.
// Steps run in order; each language has its own user and browser context.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const BASE = process.env.CONFAB_URL;
if (!BASE) throw new Error('CONFAB_URL is not set; run e2e/run');

const DESKTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };
const STAMP = Date.now().toString(36);
const PASSWORD = 'interview practice passphrase 42';

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

/** A signed-up user in a fresh context: {page, email, token, call}. */
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
  const email = `${name}-${STAMP}@example.com`;
  await page.goto(`${BASE}/signup`);
  await page.fill('#email', email);
  await page.fill('#username', `${name}_${STAMP}`);
  await page.fill('#password', PASSWORD);
  await page.fill('#password2', PASSWORD);
  await page.click('form button[type=submit]');
  await page.waitForURL(/\/chat$/);
  // A second sign-in for calls made behind the page's back (setting up state quickly).
  const login = await fetch(`${BASE}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  assert.equal(login.status, 200);
  const { access_token: token } = await login.json();
  const call = async (method, path, body) => {
    const res = await fetch(`${BASE}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: res.status === 204 ? null : await res.json() };
  };
  return { context, page, email, call };
}

/** Vertical space between the bottom of one element and the top of the next. */
async function gapBetween(page, upper, lower) {
  return page.evaluate(([a, b]) => {
    const top = document.querySelector(a).getBoundingClientRect();
    const bottom = document.querySelector(b).getBoundingClientRect();
    return bottom.top - top.bottom;
  }, [upper, lower]);
}

/** Starts a session from the start page: lands on its first question. */
async function startSession(page, count) {
  await page.goto(`${BASE}/interview`);
  await page.selectOption('#field', 'backend');
  await page.selectOption('#career', 'junior');
  await page.selectOption('#count', String(count));
  await page.click('form[aria-labelledby="start-h"] button[type=submit]');
  await page.waitForURL(/\/interview\/sessions\//);
  await page.locator('.question-card').waitFor();
  return page.url().split('/').pop();
}

/** Asserts that the intent is hidden behind its hint toggle, then opens and closes it. */
async function checkHint(page, showLabel) {
  const intent = page.locator('.question-card .intent');
  const toggle = page.locator('.question-card .hint-toggle');
  assert.equal(await intent.isVisible(), false, 'the intent starts hidden');
  assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
  assert.equal((await toggle.textContent()).trim(), showLabel);
  await toggle.click();
  await intent.waitFor({ state: 'visible' });
  assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
  await toggle.click();
  await intent.waitFor({ state: 'hidden' });
}

/** "Finish now" is secondary, and with an empty answer box it still asks; cancelling stays. */
async function checkFinishNowAsks(page, title) {
  const finishNow = page.locator('.question-card .finish-now');
  assert.match(await finishNow.getAttribute('class'), /button-ghost/, 'finish now is a secondary button');
  assert.equal(await page.inputValue('#answer'), '');
  await finishNow.click();
  const dialog = page.locator('dialog.dialog[open]');
  await dialog.waitFor();
  assert.equal((await dialog.locator('h2').textContent()).trim(), title);
  await dialog.locator('button[value="cancel"]').click();
  await dialog.waitFor({ state: 'detached' });
  await page.locator('.question-card').waitFor();
}

// ---- English, desktop ----

let en;
let enSession;

test('en: the intent stays behind a hint and "finish now" always asks', async () => {
  en = await newUser('en-US', DESKTOP, 'iv-en');
  enSession = await startSession(en.page, 2);
  await checkHint(en.page, 'Hint: show the intent');
  await checkFinishNowAsks(en.page, 'Finish the interview?');
  const { body } = await en.call('GET', `/api/interview/sessions/${enSession}`);
  assert.equal(body.status, 'in_progress', 'cancelling finished nothing');
});

test('en: a bare list of terms is graded low and told to explain in sentences', async () => {
  const { page } = en;
  await page.fill('#answer', 'index, cache, transaction, lock, replication, sharding');
  await page.click('.question-card button[type=submit]');
  await page.locator('.graded .score-big').waitFor();
  const score = Number((await page.textContent('.graded .score-big')).match(/(\d+) \/ 10/)[1]);
  assert.ok(score <= 2, `a term list scores at most 2 (got ${score})`);
  const missing = page.locator('.graded .feedback-missing li');
  assert.ok((await missing.count()) >= 1);
  assert.match(await missing.first().textContent(), /full sentences/);
  // "What was good" never says nothing was found.
  assert.doesNotMatch(await page.textContent('.graded .feedback'), /does not state any|no key point/i);
  // The intent shows once answered.
  await page.locator('.graded .intent-text').waitFor();
});

test('en: an unfinished session is resumed from the history at its next question', async () => {
  const { page } = en;
  await page.goto(`${BASE}/interview`);
  const item = page.locator('.session-item.is-open').first();
  await item.waitFor();
  assert.match(await item.textContent(), /In progress/);
  assert.match(await item.textContent(), /1 \/ 2 answered/);
  await item.locator('a.resume').click();
  await page.waitForURL(new RegExp(`/interview/sessions/${enSession}$`));
  await page.locator('.question-card').waitFor();
  assert.match(await page.textContent('.progress-label'), /Question 2 \/ 2/);
});

test('en: finishing early confirms, then the result reads as bullets with room above "Review"', async () => {
  const { page } = en;
  await page.click('.question-card .finish-now');
  const dialog = page.locator('dialog.dialog[open]');
  await dialog.waitFor();
  assert.match(await dialog.textContent(), /Unanswered questions \(1\) count as 0/);
  await dialog.locator('button[value="ok"]').click();
  await page.locator('.result .score-big').waitFor();
  assert.ok((await page.locator('.result .complement li').count()) >= 1, 'the complement is bulleted');
  const gap = await gapBetween(page, '.result', '#review-h');
  assert.ok(gap >= 12, `"Review" keeps its distance from the result card (${gap}px)`);
});

test('en: code in a question shows as code, never as HTML; the field filter lists the fields', async () => {
  const { page, call } = en;
  const question = 'What does `[1, 2].map(f)` return?\n```js\nconst el = "<img src=x onerror=alert(1)>";\n[1, 2].map((x) => x * 2);\n```';
  for (const [field, q] of [['frontend', question], ['backend', 'What is an index?']]) {
    const res = await call('POST', '/api/interview/favorites', { field, difficulty: 'easy', question: q, intent: 'Checks `map`.', model_answer: 'A new array.\n```js\n[2, 4]\n```' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
  }
  await page.goto(`${BASE}/interview/favorites`);
  await page.locator('.favorite').nth(1).waitFor();
  const card = page.locator('.favorite', { hasText: 'map(f)' });
  assert.equal((await card.locator('.question-text code').textContent()), '[1, 2].map(f)');
  assert.match(await card.locator('pre.code-block code').first().textContent(), /<img src=x onerror=alert\(1\)>/);
  assert.equal(await card.locator('img').count(), 0, 'the markup stayed text');
  assert.equal(await page.evaluate(() => window.__xss), 0);
  // The filter: "All fields" and every field, each its own option.
  const options = await page.locator('#fav-field option').allTextContents();
  assert.deepEqual(options.slice(0, 3), ['All fields', 'Backend', 'Frontend']);
  assert.equal(options.length, 8);
  await page.selectOption('#fav-field', 'backend');
  assert.equal(await page.locator('.favorite:visible').count(), 1);
  await page.selectOption('#fav-field', '');
  assert.equal(await page.locator('.favorite:visible').count(), 2);
});

test('en: removing the last favourite shows the empty state', async () => {
  const { page } = en;
  for (let left = 2; left > 0; left -= 1) {
    await page.locator('.favorite .star').first().click();
    await page.waitForFunction((n) => document.querySelectorAll('.favorite').length === n, left - 1);
  }
  await page.locator('.empty', { hasText: 'Nothing starred yet' }).waitFor();
});

test('en: with no interview requests left, "Start" is disabled and says why', async () => {
  const { page, call } = en;
  // One used by the session above; use up the rest at once.
  const starts = await Promise.all([1, 2, 3, 4].map(() => call('POST', '/api/interview/sessions', { field: 'devops', career: 'mid', count: 1, language: 'en' })));
  assert.deepEqual(starts.map((r) => r.status), [201, 201, 201, 201]);
  await page.goto(`${BASE}/interview`);
  const start = page.locator('form[aria-labelledby="start-h"] button[type=submit]');
  await page.waitForFunction(() => document.querySelector('form[aria-labelledby="start-h"] button[type=submit]')?.disabled);
  assert.match(await page.textContent('#start-quota'), /used all of today’s interview requests/);
  assert.equal(await start.getAttribute('aria-describedby'), 'start-quota');
  await page.goto(`${BASE}/interview/cheatsheet`);
  await page.waitForFunction(() => document.querySelector('button[aria-describedby="sheet-quota"]')?.disabled);
  assert.match(await page.textContent('#sheet-quota'), /used all of today’s interview requests/);
  await en.context.close();
});

// ---- Korean, phone ----

let ko;

test('ko (phone): 힌트 뒤의 출제 의도, 항상 확인하는 "지금 끝내기"', async () => {
  ko = await newUser('ko-KR', PHONE, 'iv-ko');
  await startSession(ko.page, 1);
  await checkHint(ko.page, '힌트: 출제 의도 보기');
  await checkFinishNowAsks(ko.page, '면접을 끝낼까요?');
});

test('ko (phone): 용어만 나열한 답은 낮은 점수와 문장으로 설명하라는 피드백을 받는다', async () => {
  const { page } = ko;
  await page.fill('#answer', '인덱스, 캐시, 트랜잭션, 락, 복제, 샤딩');
  await page.click('.question-card button[type=submit]');
  await page.locator('.graded .score-big').waitFor();
  const score = Number((await page.textContent('.graded .score-big')).match(/(\d+) \/ 10/)[1]);
  assert.ok(score <= 2, `용어 목록은 2점 이하 (${score})`);
  assert.match(await page.locator('.graded .feedback-missing li').first().textContent(), /완결된 문장/);
  const text = await page.textContent('.graded .feedback');
  assert.doesNotMatch(text, /찾지 못했어요|\((을|를|이|가)\)/);
  // On a phone nothing scrolls sideways.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px)`);
  await page.click('.graded .actions .button');
  await page.locator('.result .complement').waitFor();
  assert.doesNotMatch(await page.textContent('.result .complement'), /\((을|를)\)/);
  const gap = await gapBetween(page, '.result', '#review-h');
  assert.ok(gap >= 12, `"다시 보기" 위에 여백 (${gap}px)`);
});

test('ko (phone): 예상 질문 제목은 양식 카드와 떨어져 있고, 즐겨찾기 분야 필터가 한국어로 나온다', async () => {
  const { page } = ko;
  await page.goto(`${BASE}/interview/cheatsheet`);
  await page.selectOption('#field', 'frontend');
  await page.selectOption('#count', '1');
  await page.click('form button[type=submit]');
  await page.locator('.cheat-item').first().waitFor();
  const gap = await gapBetween(page, 'form.card', '.cheat-results > h2');
  assert.ok(gap >= 12, `"예상 질문" 제목 위에 여백 (${gap}px)`);
  await page.goto(`${BASE}/interview/favorites`);
  await page.locator('.empty').waitFor();
  const options = await page.locator('#fav-field option').allTextContents();
  assert.deepEqual(options.slice(0, 2), ['전체 분야', '백엔드']);
  await ko.context.close();
  assert.deepEqual(pageErrors, []);
});
