// A reading (/tarot/reading): subject and question, a shuffle of 30 face-down cards, five
// picked by mouse, touch or keyboard (arrow keys move, Enter or Space picks; picking again
// puts a card back), each turning over as it is picked (no animation under reduced motion),
// then the reading. The reading costs one `tarot` quota slot; shuffling is free.

import * as api from '../../api.js';
import * as quota from '../../quota.js';
import { h, mount, field, errorBox, setError } from '../../dom.js';
import { t, language, formatTime } from '../../i18n.js';
import { pageHeader, submitForm } from '../../ui.js';
import { BACK_URL, SUBJECTS, cardImage, readingView, subjectLabel, tarotTabs } from './common.js';

const POSITIONS = ['past', 'present', 'future', 'advice-1', 'advice-2'];

export async function render(main) {
  quota.setScope('tarot');
  main.append(pageHeader(t('tarot.reading.title')), tarotTabs('/tarot/reading'), h('p', { class: 'lead', text: t('tarot.reading.lead') }));
  const box = errorBox();
  const subject = field({ id: 'subject', label: t('tarot.subject'), value: 'love', options: SUBJECTS.map((s) => ({ value: s, label: subjectLabel(s) })) });
  const concern = field({ id: 'concern', label: t('tarot.concern'), multiline: true, rows: 3, maxlength: 500, hint: t('tarot.concernHint') });
  const shuffleButton = h('button', { type: 'button', class: 'button button-ghost', text: t('tarot.shuffle') });
  const table = h('ul', { class: 'tarot-table', 'aria-label': t('tarot.pickHint') });
  const counter = h('p', { class: 'tarot-counter', 'aria-live': 'polite' });
  const slots = h('ol', { class: 'tarot-spread tarot-slots' });
  const submit = h('button', { type: 'submit', class: 'button', text: t('tarot.read'), disabled: true });
  const costs = h('p', { class: 'muted', id: 'tarot-quota', text: t('tarot.costs') });
  const picking = h('div', { class: 'stack tarot-picking', hidden: true },
    h('p', { class: 'muted', text: t('tarot.pickHint') }), counter, table, slots);
  const form = h('form', { class: 'card form tarot-form', novalidate: true },
    box, h('div', { class: 'row-3' }, subject.wrap), concern.wrap,
    h('div', { class: 'actions' }, shuffleButton), picking, costs, submit);
  const result = h('div', { class: 'stack', 'aria-live': 'polite' });
  main.append(form, result);

  let deal = [];
  let picks = []; // indexes into deal, in pick order

  const drawQuota = () => {
    const info = quota.scopeInfo('tarot');
    const none = quota.exhausted(info);
    costs.classList.toggle('quota-none', none);
    costs.textContent = none ? t('tarot.noneLeft', { when: formatTime(info.resets_at) }) : t('tarot.costs');
    submit.disabled = none || picks.length !== POSITIONS.length;
  };

  const drawSlots = () => {
    mount(slots, POSITIONS.map((p, i) => {
      const card = deal[picks[i]];
      return h('li', { class: ['tarot-slot', card ? 'is-filled' : ''] },
        h('span', { class: 'tarot-position', text: t(`tarot.position.${p}`) }),
        card ? cardImage(card.num, { reversed: card.reversed, alt: '' }) : h('span', { class: 'tarot-slot-empty', 'aria-hidden': 'true' }));
    }));
    counter.textContent = t('tarot.picked', { n: picks.length });
    drawQuota();
  };

  const toggle = (index, button) => {
    const at = picks.indexOf(index);
    if (at >= 0) picks.splice(at, 1);
    else if (picks.length < POSITIONS.length) picks.push(index);
    else return;
    // Re-label every picked card: positions shift when one is put back.
    for (const b of table.querySelectorAll('button')) {
      const i = Number(b.dataset.index);
      const pos = picks.indexOf(i);
      b.classList.toggle('is-flipped', pos >= 0);
      b.setAttribute('aria-pressed', pos >= 0 ? 'true' : 'false');
      b.setAttribute('aria-label', pos >= 0
        ? t('tarot.pickedAs', { n: i + 1, position: t(`tarot.position.${POSITIONS[pos]}`) })
        : t('tarot.faceDown', { n: i + 1 }));
    }
    button.focus();
    drawSlots();
  };

  // Arrow keys move between the cards of the grid: left/right by one, up/down by a row.
  table.addEventListener('keydown', (event) => {
    const buttons = [...table.querySelectorAll('button')];
    const i = buttons.indexOf(document.activeElement);
    if (i < 0) return;
    const top = buttons[i].offsetTop;
    const perRow = Math.max(1, buttons.filter((b) => b.offsetTop === top).length);
    const moves = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: perRow, ArrowUp: -perRow, Home: -i, End: buttons.length - 1 - i };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const next = Math.min(buttons.length - 1, Math.max(0, i + moves[event.key]));
    buttons[next].focus();
  });

  const lay = (cards) => {
    deal = cards;
    picks = [];
    mount(table, deal.map((card, i) => {
      const button = h('button', { type: 'button', class: 'tarot-pick', 'aria-pressed': 'false', 'aria-label': t('tarot.faceDown', { n: i + 1 }), dataset: { index: i } },
        h('span', { class: 'tarot-flip' },
          h('img', { class: 'tarot-back', src: BACK_URL, alt: '', width: 120, height: 200 }),
          h('span', { class: 'tarot-front' }, cardImage(card.num, { reversed: card.reversed, alt: '' }))));
      button.addEventListener('click', () => toggle(i, button));
      return h('li', {}, button);
    }));
    picking.hidden = false;
    shuffleButton.textContent = t('tarot.reshuffle');
    drawSlots();
  };

  shuffleButton.addEventListener('click', async () => {
    setError(box, '');
    shuffleButton.disabled = true;
    try {
      const d = await api.get('/api/tarot/shuffle');
      lay(d.cards);
      const first = table.querySelector('button');
      if (first) first.focus();
    } catch (error) {
      setError(box, error.message);
    } finally {
      shuffleButton.disabled = false;
    }
  });

  submitForm(form, {
    box,
    check() {
      if (!concern.input.value.trim()) return { text: t('tarot.needConcern'), focus: concern.input };
      if (!deal.length) return { text: t('tarot.needShuffle'), focus: shuffleButton };
      return null;
    },
    async send() {
      const reading = await api.post('/api/tarot/readings', {
        subject: subject.input.value,
        concern: concern.input.value,
        cards: picks.map((i) => ({ num: deal[i].num, reversed: deal[i].reversed })),
        language: language(),
      });
      quota.reload();
      form.hidden = true;
      const again = h('button', { type: 'button', class: 'button', text: t('tarot.another') });
      again.addEventListener('click', () => {
        mount(result);
        concern.input.value = '';
        deal = [];
        picks = [];
        mount(table);
        picking.hidden = true;
        shuffleButton.textContent = t('tarot.shuffle');
        form.hidden = false;
        drawSlots();
        concern.input.focus();
      });
      mount(result, readingView(reading), h('div', { class: 'actions' }, again, h('a', { href: '/tarot/readings', class: 'button button-ghost', text: t('tarot.toArchive') })));
      const heading = result.querySelector('h2');
      heading.setAttribute('tabindex', '-1');
      heading.focus();
    },
  });

  drawSlots();
  quota.events.addEventListener('change', drawQuota);
  return () => quota.events.removeEventListener('change', drawQuota);
}
