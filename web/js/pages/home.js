// The landing page: what confab offers, and where to start.

import * as api from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { pageHeader } from '../ui.js';

const TILES = [
  { href: '/chat', title: 'home.chat.title', body: 'home.chat.body' },
  { href: '/interview', title: 'home.interview.title', body: 'home.interview.body' },
  { href: '/interview/cheatsheet', title: 'home.cheatsheet.title', body: 'home.cheatsheet.body' },
  { href: '/interview/favorites', title: 'home.favorites.title', body: 'home.favorites.body' },
];

export function render(main) {
  const user = api.user();
  main.append(
    h('section', { class: 'hero' },
      pageHeader(user ? t('home.hello', { name: user.username }) : t('home.title')),
      h('p', { class: 'lead', text: t('home.lead') }),
      user ? null : h('div', { class: 'actions' },
        h('a', { class: 'button', href: '/signup', 'data-link': true, text: t('nav.signup') }),
        h('a', { class: 'button button-ghost', href: '/login', 'data-link': true, text: t('nav.login') }))),
    h('ul', { class: 'tiles' },
      TILES.map((tile) => h('li', {},
        h('a', { class: 'tile', href: tile.href, 'data-link': true },
          h('h2', { text: t(tile.title) }),
          h('p', { text: t(tile.body) }))))),
    h('p', { class: 'muted center', text: t('home.quotaNote') }));
}
