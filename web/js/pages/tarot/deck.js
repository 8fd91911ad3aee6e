// The encyclopedia (/tarot, readable without login): the deck by group, and a card's
// detail (`/tarot?card=N`) with its upright and reversed meanings.

import * as api from '../../api.js';
import { h, mount, append } from '../../dom.js';
import { t, pick, language } from '../../i18n.js';
import { pageHeader, loadInto } from '../../ui.js';
import { cardImage, paragraphs, subjectLabel, tarotTabs } from './common.js';

const GROUPS = ['major', 'wands', 'cups', 'swords', 'pentacles'];
const SUBJECT_LINES = ['love', 'money', 'career', 'study', 'health'];

let deckPromise = null;
const loadDeck = () => {
  deckPromise = deckPromise || api.get('/api/tarot/cards').catch((e) => {
    deckPromise = null;
    throw e;
  });
  return deckPromise;
};

function grid(cards) {
  return h('ul', { class: 'tarot-grid' }, cards.map((c) => h('li', {},
    h('a', { href: `/tarot?card=${c.num}`, class: 'tarot-tile', dataset: { num: c.num } },
      cardImage(c.num, { alt: '' }),
      h('span', { text: pick(c.name) })))));
}

function sideBlock(card, side) {
  const lang = language();
  return h('section', { class: ['card', 'tarot-side', `tarot-${side}`] },
    h('h3', { text: t(`tarot.${side}`) }),
    h('p', { class: 'tarot-keywords' }, h('strong', { text: `${t('tarot.keywords')}: ` }), card.keywords[side][lang].join(', ')),
    h('p', { text: card.meaning[side][lang] }),
    h('p', {}, h('strong', { text: `${t('tarot.advice')}: ` }), card.advice[side][lang]));
}

async function detail(main, num) {
  const box = h('div', { class: 'stack' });
  main.append(box);
  const card = await loadInto(box, api.get(`/api/tarot/cards/${encodeURIComponent(num)}`));
  if (!card) return;
  const lang = language();
  const name = pick(card.name);
  mount(box,
    pageHeader(name),
    h('p', {}, h('a', { href: '/tarot', text: t('tarot.backToDeck') })),
    h('div', { class: 'tarot-detail' },
      h('figure', { class: 'tarot-detail-figure' },
        cardImage(card.num, { alt: name, cls: 'tarot-face tarot-face-large' }),
        h('figcaption', { class: 'muted', text: `${t('tarot.element')}: ${card.element[lang]}` })),
      h('div', { class: 'stack' },
        sideBlock(card, 'upright'),
        sideBlock(card, 'reversed'))),
    h('section', { class: 'card' },
      h('h2', { text: t('tarot.bySubject') }),
      h('dl', { class: 'tarot-subjects' }, SUBJECT_LINES.map((s) => [h('dt', { text: subjectLabel(s) }), h('dd', { text: card.subjects[s][lang] })]))),
    h('section', { class: 'card' }, h('h2', { text: t('tarot.imagery') }), h('p', { text: card.imagery[lang] })),
    h('section', { class: 'card' }, h('h2', { text: t('tarot.numerology') }), h('p', { text: card.numerology[lang] })),
    h('section', { class: 'card' }, h('h2', { text: t('tarot.explanation') }), paragraphs(card.explanation[lang].join('\n\n'))),
    h('p', {}, h('a', { href: '/tarot/reading', class: 'button', text: t('tarot.startReading') })));
}

export async function render(main, params, query) {
  const num = query && query.get ? query.get('card') : null;
  if (num !== null && num !== undefined && num !== '') {
    await detail(main, num);
    return;
  }
  main.append(pageHeader(t('tarot.title')), tarotTabs('/tarot'), h('p', { class: 'lead', text: t('tarot.lead') }));
  const body = h('div', { class: 'stack' });
  main.append(body);
  const list = await loadInto(body, loadDeck());
  if (!list) return;
  const nav = h('nav', { class: 'tarot-groups', 'aria-label': t('tarot.title') },
    GROUPS.map((g) => h('a', { href: `#tarot-${g}`, text: t(`tarot.group.${g}`), on: { click: (e) => {
      e.preventDefault();
      const target = document.getElementById(`tarot-${g}`);
      if (target) target.scrollIntoView();
    } } })));
  append(body, [nav, GROUPS.map((g) => h('section', { id: `tarot-${g}`, class: 'tarot-group' },
    h('h2', { text: t(`tarot.group.${g}`) }),
    grid(list.items.filter((c) => (g === 'major' ? c.arcana === 'major' : c.suit === g)))))]);
}
