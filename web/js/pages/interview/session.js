// One mock interview session: answer one question at a time (with a timer), see each grade
// with feedback and the model answer, and finish for the overall score and what to improve.

import * as api from '../../api.js';
import * as quota from '../../quota.js';
import { h, mount, busy } from '../../dom.js';
import { t } from '../../i18n.js';
import { setBusy } from '../../router.js';
import { pageHeader, showError, confirmDialog, loadInto } from '../../ui.js';
import { loadStars } from '../../stars.js';
import { saveDraft } from '../../drafts.js';
import { catalog, label } from './common.js';
import { drawQuestion } from './question.js';
import { drawFinished } from './results.js';

/**
 * Finishes the session, after asking when anything would be lost or count as 0: an answer
 * typed but not submitted, or questions not answered. Finishing from a question therefore
 * always asks (that question is unanswered).
 */
async function finish(run, button) {
  const typed = run.stage.querySelector('#answer');
  const unsent = Boolean(typed && typed.value.trim());
  const unanswered = run.session.questions.filter((q) => !q.answered).length;
  if (unsent || unanswered > 0) {
    const body = [unsent ? t('interview.finishUnsent') : '', unanswered > 0 ? t('interview.finishUnanswered', { n: unanswered }) : ''].filter(Boolean).join(' ');
    if (!(await confirmDialog({ title: t('interview.finishTitle'), body, confirm: t('interview.finishConfirm') }))) return;
  }
  await busy(button, async () => {
    try {
      const result = await api.post(`/api/interview/sessions/${run.session.id}/finish`, {});
      for (const q of run.session.questions) saveDraft(`answer.${q.id}`, '');
      // The finished session reveals the model answers of skipped questions too.
      if (!(await run.reload())) run.session = { ...run.session, status: 'finished', result };
      if (!run.session.result) run.session.result = result;
      run.draw();
    } catch (error) {
      showError(error);
    }
  });
}

/** Nothing left to answer but the session is not finished: finish, or go back to skipped ones. */
function drawAllDone(run) {
  run.stopTimer();
  const { questions } = run.session;
  const answered = questions.filter((x) => x.answered).length;
  const again = h('button', { type: 'button', class: 'button button-ghost', text: t('interview.backToSkipped') });
  again.addEventListener('click', () => {
    run.skipped.clear();
    run.draw();
  });
  mount(run.stage, h('section', { class: 'card' },
    h('h2', { text: t('interview.allDone') }),
    h('p', { text: t('interview.progress', { answered, total: questions.length }) }),
    h('div', { class: 'actions' }, answered < questions.length ? again : null, run.finishButton())));
}

function draw(run) {
  run.grading = false;
  if (run.session.status === 'finished' && run.session.result) drawFinished(run);
  else if (run.nextQuestion()) drawQuestion(run, run.nextQuestion());
  else drawAllDone(run);
}

/** The state of one session on screen, shared by the views that draw it. */
function newRun(session, stage) {
  const run = { session, stage, skipped: new Set(), grading: false, timer: null };
  run.stopTimer = () => clearInterval(run.timer);
  run.nextQuestion = () => run.session.questions.find((q) => !q.answered && !run.skipped.has(q.id));
  run.draw = () => draw(run);
  /** Loads the session again; resolves whether that worked. */
  run.reload = async () => {
    const fresh = await api.get(`/api/interview/sessions/${run.session.id}`).catch(() => null);
    if (fresh) run.session = fresh;
    return Boolean(fresh);
  };
  /** The finish button; `secondary` for finishing early from a question. */
  run.finishButton = (text, secondary = false) => {
    const b = h('button', { type: 'button', class: secondary ? 'button button-ghost finish-now' : 'button', text: text || t('interview.finish') });
    b.addEventListener('click', () => finish(run, b));
    return b;
  };
  return run;
}

export async function render(main, params) {
  quota.setScope('interview');
  const loaded = await loadInto(main,
    Promise.all([catalog(), api.get(`/api/interview/sessions/${encodeURIComponent(params.id)}`), loadStars()]),
    (error) => {
      if (error.status !== 404) return false;
      main.append(pageHeader(t('interview.notFound')), h('a', { href: '/interview', 'data-link': true, class: 'button', text: t('interview.back') }));
      return true;
    });
  if (!loaded) return undefined;
  const [cat, session] = loaded;
  const stage = h('div', { class: 'stage' });
  main.append(pageHeader(`${label(cat.fields, session.field)} · ${label(cat.careers, session.career)}`), stage);
  const run = newRun(session, stage);
  // A grade on screen, or an answer being typed, would be lost by a redraw.
  setBusy(() => run.grading || Boolean(stage.querySelector('#answer') && stage.querySelector('#answer').value.trim()));
  run.draw();
  return run.stopTimer;
}
