// The mock interview: choose a field and level, answer one question at a time (with a
// timer), see each grade with feedback and the model answer, finish for the overall score
// and what to improve; past sessions can be reopened or deleted.

import * as api from '../api.js';
import * as quota from '../quota.js';
import { h, mount, field, errorBox, setError, busy, clearFieldErrors } from '../dom.js';
import { t, pick, formatDateTime, formatNumber, language } from '../i18n.js';
import { navigate, setBusy } from '../router.js';
import { pageHeader, showError, flash, confirmDialog, loadInto, emptyState } from '../ui.js';
import { loadStars, starButton } from '../stars.js';
import { loadDraft, saveDraft } from '../drafts.js';

let catalogCache = null;

export async function catalog() {
  if (!catalogCache) catalogCache = await api.get('/api/interview/catalog', { auth: false });
  return catalogCache;
}

export function label(list, id) {
  const item = (list || []).find((x) => x.id === id);
  return item ? pick(item.label) : id;
}

export function difficultyBadge(difficulty) {
  return h('span', { class: `badge difficulty difficulty-${difficulty}`, text: t(`difficulty.${difficulty}`) });
}

/** "1 question" … "max questions" for a count <select>. */
export function countOptions(max) {
  const options = [];
  for (let n = 1; n <= max; n += 1) options.push({ value: String(n), label: t('interview.nQuestions', { n }) });
  return options;
}

function scoreClass(score) {
  if (score === null || score === undefined) return 'score-none';
  if (score >= 8) return 'score-high';
  if (score >= 5) return 'score-mid';
  return 'score-low';
}

// ---- start page and history ------------------------------------------------------------

function startForm(cat) {
  const fieldSel = field({ id: 'field', label: t('interview.field'), options: cat.fields.map((f) => ({ value: f.id, label: pick(f.label) })) });
  const careerSel = field({ id: 'career', label: t('interview.career'), options: cat.careers.map((c) => ({ value: c.id, label: pick(c.label) })) });
  const countSel = field({ id: 'count', label: t('interview.count'), value: String(cat.default_count), options: countOptions(cat.max_count) });
  const box = errorBox();
  const submit = h('button', { type: 'submit', class: 'button', text: t('interview.start') });
  const quotaLine = h('p', { class: 'muted' });
  const drawQuota = () => {
    const info = quota.scopeInfo('interview');
    quotaLine.textContent = info ? t('interview.costs', { left: quota.describe(info) }) : '';
  };
  drawQuota();
  quota.events.addEventListener('change', drawQuota);
  const form = h('form', { class: 'card form', novalidate: true, 'aria-labelledby': 'start-h' },
    h('h2', { id: 'start-h', text: t('interview.newSession') }), box,
    h('div', { class: 'row-3' }, fieldSel.wrap, careerSel.wrap, countSel.wrap), quotaLine, submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    setError(box, '');
    await busy(submit, async () => {
      try {
        const session = await api.post('/api/interview/sessions', {
          field: fieldSel.input.value,
          career: careerSel.input.value,
          count: Number(countSel.input.value),
          language: language(),
        });
        navigate(`/interview/sessions/${session.id}`);
      } catch (error) {
        showError(error, { form, box });
      }
    });
  });
  return { form, cleanup: () => quota.events.removeEventListener('change', drawQuota) };
}

function history(cat) {
  const list = h('ul', { class: 'session-list' });
  const more = h('button', { type: 'button', class: 'button button-ghost button-small', hidden: true, text: t('common.loadMore') });
  const box = errorBox();
  let cursor = null;
  async function load() {
    try {
      const page = await api.get(`/api/interview/sessions?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      if (!cursor && !page.items.length) list.append(h('li', {}, emptyState(t('interview.noSessions'))));
      for (const s of page.items) list.append(sessionItem(cat, s));
      cursor = page.next_cursor;
      more.hidden = !cursor;
    } catch (error) {
      showError(error, { box });
    }
  }
  more.addEventListener('click', () => busy(more, load));
  load();
  return h('section', { class: 'card', 'aria-labelledby': 'history-h' }, h('h2', { id: 'history-h', text: t('interview.history') }), box, list, more);
}

function sessionItem(cat, s) {
  const done = s.status === 'finished';
  const name = `${label(cat.fields, s.field)} · ${label(cat.careers, s.career)} · ${formatDateTime(s.created_at)}`;
  const del = h('button', { type: 'button', class: 'button button-ghost button-small danger-text', text: t('common.delete'), 'aria-label': `${t('interview.deleteSession')}: ${name}` });
  const li = h('li', { class: 'session-item' },
    h('a', { href: `/interview/sessions/${s.id}`, 'data-link': true, class: 'session-link' },
      h('span', { class: 'session-title', text: `${label(cat.fields, s.field)} · ${label(cat.careers, s.career)}` }),
      h('span', { class: 'muted', text: formatDateTime(s.created_at) }),
      h('span', { class: ['score-chip', scoreClass(s.score)], text: done ? t('interview.scoreOf', { score: formatNumber(s.score ?? 0, 1) }) : t('interview.progress', { answered: s.answered_count, total: s.question_count }) })),
    del);
  del.addEventListener('click', async () => {
    if (!(await confirmDialog({ title: t('interview.deleteSession'), body: t('interview.deleteBody'), confirm: t('common.delete'), danger: true }))) return;
    try {
      await api.del(`/api/interview/sessions/${s.id}`);
      li.remove();
      flash(t('interview.deleted'));
    } catch (error) {
      showError(error);
    }
  });
  return li;
}

export async function render(main) {
  quota.setScope('interview');
  main.append(pageHeader(t('interview.title')), h('p', { class: 'lead', text: t('interview.lead') }));
  const cat = await loadInto(main, catalog());
  if (!cat) return undefined;
  const start = startForm(cat);
  main.append(h('div', { class: 'stack' }, start.form,
    h('p', { class: 'links' },
      h('a', { href: '/interview/cheatsheet', 'data-link': true, text: t('nav.cheatsheet') }), ' · ',
      h('a', { href: '/interview/favorites', 'data-link': true, text: t('nav.favorites') })),
    history(cat)));
  return start.cleanup;
}

// ---- one session ------------------------------------------------------------------------

function gradeView(session, q) {
  return h('div', { class: 'grade' },
    h('p', { class: ['score-big', scoreClass(q.score)] }, h('span', { class: 'visually-hidden', text: t('interview.score') }), `${q.score} / 10`),
    h('div', { class: 'feedback' },
      h('h3', { text: t('interview.good') }), h('p', { text: q.feedback ? q.feedback.good : '' }),
      h('h3', { text: t('interview.missing') }), h('p', { text: q.feedback ? q.feedback.missing : '' })),
    h('h3', { text: t('interview.intent') }), h('p', { text: q.intent }),
    h('h3', { text: t('interview.modelAnswer') }), h('p', { class: 'model-answer', text: q.model_answer || '' }),
    q.key_points && q.key_points.length ? h('div', {}, h('h3', { text: t('interview.keyPoints') }), h('ul', { class: 'key-points' }, q.key_points.map((k) => h('li', { text: k })))) : null,
    h('h3', { text: t('interview.yourAnswer') }), h('p', { class: 'your-answer plain', text: q.answer || '' }),
    starButton(q, session.field, 'session'));
}

function formatClock(secs) {
  const m = Math.floor(secs / 60);
  const s = secs % 60;
  return `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

function resultView(cat, session, result) {
  return h('section', { class: 'card result', 'aria-labelledby': 'result-h' },
    h('h2', { id: 'result-h', text: t('interview.finalResult') }),
    h('p', { class: ['score-big', scoreClass(result.score)] }, t('interview.scoreOf', { score: formatNumber(result.score, 1) })),
    h('h3', { text: t('interview.complement') }),
    h('p', { class: 'complement plain', text: result.complement }),
    h('h3', { text: t('interview.breakdown') }),
    h('ol', { class: 'breakdown' }, result.breakdown.map((b) => h('li', {},
      h('span', { class: 'breakdown-q', text: b.question }), ' ',
      difficultyBadge(b.difficulty), ' ',
      h('span', { class: ['score-chip', scoreClass(b.score)], text: b.skipped ? t('interview.skipped') : `${b.score} / 10` })))),
    h('div', { class: 'actions' },
      h('a', { class: 'button', href: '/interview', 'data-link': true, text: t('interview.again') })));
}

export async function renderSession(main, params) {
  quota.setScope('interview');
  const loaded = await loadInto(main,
    Promise.all([catalog(), api.get(`/api/interview/sessions/${encodeURIComponent(params.id)}`), loadStars()]),
    (error) => {
      if (error.status !== 404) return false;
      main.append(pageHeader(t('interview.notFound')), h('a', { href: '/interview', 'data-link': true, class: 'button', text: t('interview.back') }));
      return true;
    });
  if (!loaded) return undefined;
  const cat = loaded[0];
  let session = loaded[1];
  const heading = pageHeader(`${label(cat.fields, session.field)} · ${label(cat.careers, session.career)}`);
  const stage = h('div', { class: 'stage' });
  main.append(heading, stage);
  let timer = null;
  const stopTimer = () => clearInterval(timer);
  const skipped = new Set();

  function nextQuestion() {
    return session.questions.find((q) => !q.answered && !skipped.has(q.id));
  }

  async function finish(button) {
    const typed = stage.querySelector('#answer');
    if (typed && typed.value.trim() && !(await confirmDialog({ title: t('interview.finishTitle'), body: t('interview.finishUnsent'), confirm: t('interview.finishNow') }))) return;
    await busy(button, async () => {
      try {
        const result = await api.post(`/api/interview/sessions/${session.id}/finish`, {});
        for (const q of session.questions) saveDraft(`answer.${q.id}`, '');
        // The finished session reveals the model answers of skipped questions too.
        const fresh = await api.get(`/api/interview/sessions/${session.id}`).catch(() => null);
        session = fresh || { ...session, status: 'finished', result };
        if (!session.result) session.result = result;
        draw();
      } catch (error) {
        showError(error);
      }
    });
  }

  function finishButton(text) {
    const b = h('button', { type: 'button', class: 'button', text: text || t('interview.finish') });
    b.addEventListener('click', () => finish(b));
    return b;
  }
  let grading = false;
  setBusy(() => grading || Boolean(stage.querySelector('#answer') && stage.querySelector('#answer').value.trim()));

  function drawQuestion(q) {
    const total = session.questions.length;
    const start = Date.now();
    const clock = h('span', { class: 'timer', role: 'timer', 'aria-label': t('interview.elapsed'), text: '00:00' });
    stopTimer();
    timer = setInterval(() => {
      clock.textContent = formatClock(Math.floor((Date.now() - start) / 1000));
    }, 1000);
    const answer = field({ id: 'answer', label: t('interview.yourAnswer'), multiline: true, rows: 8, maxlength: 5000, value: loadDraft(`answer.${q.id}`), hint: t('interview.answerHint') });
    answer.input.addEventListener('input', () => saveDraft(`answer.${q.id}`, answer.input.value));
    const box = errorBox();
    const submit = h('button', { type: 'submit', class: 'button', text: t('interview.submit') });
    const skip = h('button', { type: 'button', class: 'button button-ghost', text: t('interview.skip') });
    skip.addEventListener('click', () => {
      skipped.add(q.id);
      draw();
    });
    const form = h('form', { class: 'card form question-card', novalidate: true },
      h('div', { class: 'question-meta' },
        h('span', { class: 'progress-label', text: t('interview.nOfN', { n: q.position, total }) }),
        difficultyBadge(q.difficulty), clock),
      h('progress', { max: total, value: session.questions.filter((x) => x.answered).length, 'aria-label': t('interview.progressLabel') }),
      h('h2', { class: 'question-text', text: q.question }),
      h('p', { class: 'intent' }, h('strong', { text: `${t('interview.intent')}: ` }), q.intent),
      box, answer.wrap,
      h('div', { class: 'actions' }, skip, submit, finishButton(t('interview.finishNow'))));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearFieldErrors(form);
      setError(box, '');
      if (!answer.input.value.trim()) {
        setError(box, t('interview.answerRequired'));
        answer.input.focus();
        return;
      }
      await busy(submit, async () => {
        try {
          const res = await api.post(`/api/interview/sessions/${session.id}/questions/${q.id}/answer`, { answer: answer.input.value });
          Object.assign(q, {
            answered: true,
            answer: answer.input.value,
            score: res.score,
            feedback: res.feedback,
            model_answer: res.model_answer,
            intent: res.intent,
            key_points: res.key_points,
          });
          saveDraft(`answer.${q.id}`, '');
          stopTimer();
          drawGraded(q);
        } catch (error) {
          if (error.status === 409) {
            const fresh = await api.get(`/api/interview/sessions/${session.id}`).catch(() => null);
            if (fresh) session = fresh;
            draw();
            return;
          }
          showError(error, { form, box });
        }
      });
    });
    mount(stage, form);
    answer.input.focus();
  }

  function drawGraded(q) {
    grading = true;
    const next = nextQuestion();
    const nextButton = next ? h('button', { type: 'button', class: 'button', text: t('interview.next') }) : finishButton();
    if (next) nextButton.addEventListener('click', () => draw());
    mount(stage, h('section', { class: 'card graded', 'aria-labelledby': 'graded-h' },
      h('h2', { id: 'graded-h', class: 'question-text', text: q.question }),
      gradeView(session, q),
      h('div', { class: 'actions' }, nextButton)));
    const focusTarget = stage.querySelector('.score-big');
    if (focusTarget) {
      focusTarget.setAttribute('tabindex', '-1');
      focusTarget.focus();
    }
  }

  function drawFinished() {
    stopTimer();
    mount(stage,
      resultView(cat, session, session.result),
      h('section', { class: 'stack' },
        h('h2', { text: t('interview.review') }),
        session.questions.map((q) => h('details', { class: 'card review' },
          h('summary', {}, h('span', { text: `${q.position}. ${q.question}` }), ' ', difficultyBadge(q.difficulty)),
          q.answered ? gradeView(session, q) : h('div', {},
            h('p', { class: 'muted', text: t('interview.skipped') }),
            q.model_answer ? h('p', { class: 'model-answer', text: q.model_answer }) : null,
            q.model_answer ? starButton(q, session.field, 'session') : null)))));
    const target = stage.querySelector('#result-h');
    if (target) {
      target.setAttribute('tabindex', '-1');
      target.focus();
    }
  }

  function draw() {
    grading = false;
    if (session.status === 'finished' && session.result) {
      drawFinished();
      return;
    }
    const q = nextQuestion();
    if (q) {
      drawQuestion(q);
      return;
    }
    stopTimer();
    const answered = session.questions.filter((x) => x.answered).length;
    const again = h('button', { type: 'button', class: 'button button-ghost', text: t('interview.backToSkipped') });
    again.addEventListener('click', () => {
      skipped.clear();
      draw();
    });
    mount(stage, h('section', { class: 'card' },
      h('h2', { text: t('interview.allDone') }),
      h('p', { text: t('interview.progress', { answered, total: session.questions.length }) }),
      h('div', { class: 'actions' }, answered < session.questions.length ? again : null, finishButton())));
  }

  draw();
  return stopTimer;
}
