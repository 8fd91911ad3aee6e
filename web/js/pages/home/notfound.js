// Unknown client routes.

import { h } from '../../dom.js';
import { t } from '../../i18n.js';
import { pageHeader } from '../../ui.js';

export function render(main) {
  main.append(h('section', { class: 'narrow' },
    pageHeader(t('notfound.title')),
    h('p', { text: t('notfound.body') }),
    h('a', { class: 'button', href: '/', 'data-link': true, text: t('notfound.home') })));
}
