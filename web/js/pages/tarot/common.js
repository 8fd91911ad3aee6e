// Shared pieces of the tarot pages: card images, subject and position names, and the
// reading view (used right after a reading and when one is reopened from the archive).

import { h } from '../../dom.js';
import { t, language, formatDateTime } from '../../i18n.js';

export const SUBJECTS = ['new-year', 'love', 'money', 'study', 'career', 'health', 'today'];
export const SECTIONS = ['greeting', 'past', 'present', 'future', 'advice', 'conclusion'];

/** A card face's URL in the UI language (or `lang`). */
export function faceUrl(num, lang = language()) {
  return `/api/tarot/cards/${Number(num)}/image.svg?lang=${lang === 'en' ? 'en' : 'ko'}`;
}

export const BACK_URL = '/api/tarot/back.svg';

/** An <img> of a card face; a reversed card is the same face turned upside down. */
export function cardImage(num, { reversed = false, alt = '', lang, cls = 'tarot-face' } = {}) {
  return h('img', { src: faceUrl(num, lang), alt, class: [cls, reversed ? 'is-reversed' : ''], width: 120, height: 200, loading: 'lazy', decoding: 'async' });
}

export const subjectLabel = (id) => t(`tarot.subject.${id}`);

/** Text with blank-line paragraphs as <p> elements (never HTML). */
export function paragraphs(text) {
  return String(text || '').split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean).map((p) => h('p', { text: p }));
}

/** The whole reading: its cards in their positions, then each section. */
export function readingView(reading) {
  const lang = reading.language === 'en' ? 'en' : 'ko';
  const spread = h('ol', { class: 'tarot-spread', 'aria-label': t('tarot.reading') },
    reading.cards.map((c) => h('li', { class: 'tarot-slot' },
      h('span', { class: 'tarot-position', text: t(`tarot.position.${c.position}`) }),
      cardImage(c.num, { reversed: c.reversed, alt: c.reversed ? `${c.name} (${t('tarot.reversed')})` : c.name, lang }),
      h('span', { class: 'tarot-card-name', text: c.reversed ? `${c.name} · ${t('tarot.reversed')}` : c.name }))));
  const sections = SECTIONS.map((s) => h('section', { class: 'tarot-section', dataset: { section: s } },
    h('h3', { text: t(`tarot.section.${s}`) }),
    paragraphs(reading.sections[s])));
  return h('article', { class: 'card tarot-reading', lang },
    h('header', { class: 'tarot-reading-head' },
      h('h2', { text: `${subjectLabel(reading.subject)} · ${formatDateTime(reading.created_at)}` }),
      h('p', { class: 'muted', text: reading.source === 'llm' ? t('tarot.byModel') : t('tarot.offline') }),
      h('blockquote', { class: 'tarot-concern', text: reading.concern })),
    spread,
    sections);
}

/** The tarot pages' own tabs: encyclopedia, reading, archive, shops. */
export function tarotTabs(current) {
  const tabs = [
    ['/tarot', 'tarot.nav'],
    ['/tarot/reading', 'tarot.readingNav'],
    ['/tarot/readings', 'tarot.archive.nav'],
    ['/tarot/shops', 'tarot.shops.nav'],
  ];
  return h('nav', { class: 'tarot-tabs', 'aria-label': t('tarot.nav') },
    tabs.map(([href, label]) => h('a', { href, text: t(label), 'aria-current': href === current ? 'page' : null })));
}
