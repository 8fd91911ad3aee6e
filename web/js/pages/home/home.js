// The landing page: what confab offers (one tile per app entry in apps.js), and where to
// start.

import * as api from '../../api.js';
import { h } from '../../dom.js';
import { t } from '../../i18n.js';
import { pageHeader } from '../../ui.js';
import { tiles } from '../../apps.js';

function tile({ href, title, body, icon }) {
  return h('li', {},
    h('a', { class: 'tile', href, 'data-link': true },
      icon ? h('img', { class: 'tile-icon', src: icon, alt: '', width: 32, height: 32 }) : null,
      h('h2', { text: t(title) }),
      h('p', { text: t(body) })));
}

export function render(main) {
  const user = api.user();
  main.append(
    h('section', { class: 'hero' },
      pageHeader(user ? t('home.hello', { name: user.username }) : t('home.title')),
      h('p', { class: 'lead', text: t('home.lead') }),
      user ? null : h('div', { class: 'actions' },
        h('a', { class: 'button', href: '/signup', 'data-link': true, text: t('nav.signup') }),
        h('a', { class: 'button button-ghost', href: '/login', 'data-link': true, text: t('nav.login') }))),
    h('ul', { class: 'tiles' }, tiles().map(tile)),
    h('p', { class: 'muted center', text: t('home.quotaNote') }));
}
