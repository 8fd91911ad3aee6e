// What an answered question and a finished session look like: the grade with feedback and
// the model answer, and the final score with what to improve and the per-question review.

import { h, mount } from '../../dom.js';
import { t, formatNumber } from '../../i18n.js';
import { starButton } from '../../stars.js';
import { difficultyBadge, scoreClass, questionHeading, inlineCode, richText, bulletText } from './common.js';

export function gradeView(session, q) {
  const fb = q.feedback || {};
  const good = Array.isArray(fb.good_items) ? fb.good_items : (fb.good ? [fb.good] : []);
  return h('div', { class: 'grade' },
    h('p', { class: ['score-big', scoreClass(q.score)] }, h('span', { class: 'visually-hidden', text: t('interview.score') }), `${q.score} / 10`),
    h('div', { class: 'feedback' },
      // Nothing good to say is not said: no heading over an empty list.
      good.length ? [h('h3', { text: t('interview.good') }), bulletText({ class: 'feedback-good' }, fb.good, good)] : null,
      h('h3', { text: t('interview.missing') }), bulletText({ class: 'feedback-missing' }, fb.missing, fb.missing_items)),
    h('h3', { text: t('interview.intent') }), richText({ class: 'intent-text' }, q.intent),
    h('h3', { text: t('interview.modelAnswer') }), richText({ class: 'model-answer' }, q.model_answer || ''),
    q.key_points && q.key_points.length ? h('div', {}, h('h3', { text: t('interview.keyPoints') }), h('ul', { class: 'key-points' }, q.key_points.map((k) => h('li', {}, inlineCode(k))))) : null,
    h('h3', { text: t('interview.yourAnswer') }), h('p', { class: 'your-answer plain', text: q.answer || '' }),
    starButton(q, session.field, 'session'));
}

function resultView(result) {
  return h('section', { class: 'card result', 'aria-labelledby': 'result-h' },
    h('h2', { id: 'result-h', text: t('interview.finalResult') }),
    h('p', { class: ['score-big', scoreClass(result.score)] }, t('interview.scoreOf', { score: formatNumber(result.score, 1) })),
    h('h3', { text: t('interview.complement') }),
    bulletText({ class: 'complement' }, result.complement),
    h('h3', { text: t('interview.breakdown') }),
    h('ol', { class: 'breakdown' }, result.breakdown.map((b) => h('li', {},
      h('span', { class: 'breakdown-q' }, inlineCode(b.question)), ' ',
      difficultyBadge(b.difficulty), ' ',
      h('span', { class: ['score-chip', scoreClass(b.score)], text: b.skipped ? t('interview.skipped') : `${b.score} / 10` })))),
    h('div', { class: 'actions' },
      h('a', { class: 'button', href: '/interview', 'data-link': true, text: t('interview.again') })));
}

function reviewItem(session, q) {
  return h('details', { class: 'card review' },
    h('summary', {}, h('span', {}, `${q.position}. `, inlineCode(q.question)), ' ', difficultyBadge(q.difficulty)),
    q.answered ? gradeView(session, q) : h('div', {},
      h('p', { class: 'muted', text: t('interview.skipped') }),
      q.model_answer ? richText({ class: 'model-answer' }, q.model_answer) : null,
      q.model_answer ? starButton(q, session.field, 'session') : null));
}

function focusOn(el) {
  if (!el) return;
  el.setAttribute('tabindex', '-1');
  el.focus();
}

/** The grade of `q` just answered, with the way on (the next question, or finishing). */
export function drawGraded(run, q) {
  run.grading = true;
  const next = run.nextQuestion();
  const nextButton = next ? h('button', { type: 'button', class: 'button', text: t('interview.next') }) : run.finishButton();
  if (next) nextButton.addEventListener('click', () => run.draw());
  mount(run.stage, h('section', { class: 'card graded', 'aria-labelledby': 'graded-h' },
    questionHeading('h2', { id: 'graded-h', class: 'question-text' }, q.question),
    gradeView(run.session, q),
    h('div', { class: 'actions' }, nextButton)));
  focusOn(run.stage.querySelector('.score-big'));
}

/** The finished session: the result, then every question to review. */
export function drawFinished(run) {
  const { session } = run;
  run.stopTimer();
  mount(run.stage,
    resultView(session.result),
    h('section', { class: 'stack review-list', 'aria-labelledby': 'review-h' },
      h('h2', { id: 'review-h', text: t('interview.review') }),
      session.questions.map((q) => reviewItem(session, q))));
  focusOn(run.stage.querySelector('#result-h'));
}
