// One question to answer: its text (code in it shown as code), difficulty, a timer, the
// intent behind a "hint" toggle (it gives the answer away), and the answer box (kept as a
// draft until it is graded). Submitting grades it; skipping comes back to it later.

import * as api from '../../api.js';
import { h, mount, field, errorBox } from '../../dom.js';
import { t } from '../../i18n.js';
import { loadDraft, saveDraft } from '../../drafts.js';
import { submitForm } from '../../ui.js';
import { difficultyBadge, questionHeading, inlineCode } from './common.js';
import { drawGraded } from './results.js';

function formatClock(secs) {
  const m = Math.floor(secs / 60);
  const s = secs % 60;
  return `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

/** A clock counting from now; replaces the run's previous timer. */
function startClock(run) {
  const clock = h('span', { class: 'timer', role: 'timer', 'aria-label': t('interview.elapsed'), text: '00:00' });
  const start = Date.now();
  run.stopTimer();
  run.timer = setInterval(() => {
    clock.textContent = formatClock(Math.floor((Date.now() - start) / 1000));
  }, 1000);
  return clock;
}

function questionCard(run, q, answer, box) {
  const total = run.session.questions.length;
  const skip = h('button', { type: 'button', class: 'button button-ghost', text: t('interview.skip') });
  skip.addEventListener('click', () => {
    run.skipped.add(q.id);
    run.draw();
  });
  return h('form', { class: 'card form question-card', novalidate: true },
    h('div', { class: 'question-meta' },
      h('span', { class: 'progress-label', text: t('interview.nOfN', { n: q.position, total }) }),
      difficultyBadge(q.difficulty), startClock(run)),
    h('progress', { max: total, value: run.session.questions.filter((x) => x.answered).length, 'aria-label': t('interview.progressLabel') }),
    questionHeading('h2', { class: 'question-text' }, q.question),
    intentHint(q),
    box, answer.wrap,
    h('div', { class: 'actions' }, skip, h('button', { type: 'submit', class: 'button', text: t('interview.submit') }), run.finishButton(t('interview.finishNow'), true)));
}

/** The intent, hidden until asked for: it tells what the answer should cover. */
function intentHint(q) {
  const id = `intent-${q.id}`;
  const text = h('p', { class: 'intent', id, hidden: true }, h('strong', { text: `${t('interview.intent')}: ` }), inlineCode(q.intent));
  const toggle = h('button', { type: 'button', class: 'button button-ghost button-small hint-toggle', 'aria-expanded': 'false', 'aria-controls': id, text: t('interview.showHint') });
  toggle.addEventListener('click', () => {
    const open = text.hidden;
    text.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    toggle.textContent = t(open ? 'interview.hideHint' : 'interview.showHint');
  });
  return h('div', { class: 'hint' }, toggle, text);
}

async function submitAnswer(run, q, text) {
  const res = await api.post(`/api/interview/sessions/${run.session.id}/questions/${q.id}/answer`, { answer: text });
  Object.assign(q, {
    answered: true,
    answer: text,
    score: res.score,
    feedback: res.feedback,
    model_answer: res.model_answer,
    intent: res.intent,
    key_points: res.key_points,
  });
  saveDraft(`answer.${q.id}`, '');
  run.stopTimer();
  drawGraded(run, q);
}

export function drawQuestion(run, q) {
  const answer = field({ id: 'answer', label: t('interview.yourAnswer'), multiline: true, rows: 8, maxlength: 5000, value: loadDraft(`answer.${q.id}`), hint: t('interview.answerHint') });
  answer.input.addEventListener('input', () => saveDraft(`answer.${q.id}`, answer.input.value));
  const box = errorBox();
  const form = questionCard(run, q, answer, box);
  submitForm(form, {
    box,
    check: () => (answer.input.value.trim() ? null : { text: t('interview.answerRequired'), focus: answer.input }),
    send: () => submitAnswer(run, q, answer.input.value),
    async onError(error) {
      if (error.status !== 409) return false;
      // Answered elsewhere (another tab) or the session ended: show where it stands now.
      await run.reload();
      run.draw();
      return true;
    },
  });
  mount(run.stage, form);
  answer.input.focus();
}
