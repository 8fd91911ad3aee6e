// /board: posts newest first, with category tabs, search, thumbnails and counts; "load
// more" follows the cursor. The tab and the search live in the URL (?category=&q=), so a
// reload or a shared link shows the same list.

import * as api from '../../api.js';
import { h, errorBox } from '../../dom.js';
import { t } from '../../i18n.js';
import { navigate } from '../../router.js';
import { pager } from '../../pager.js';
import { pageHeader, showError, emptyState } from '../../ui.js';
import { CATEGORIES, categoryBadge, mediaUrl, metaLine } from './common.js';

function item(post) {
  const link = h('a', { class: 'board-item-link', href: `/board/${post.id}`, 'data-link': true },
    h('img', {
      class: ['board-thumb', post.has_thumbnail ? '' : 'board-thumb-default'],
      src: mediaUrl(post.thumbnail_url),
      alt: post.has_thumbnail ? t('board.thumbAlt', { title: post.title }) : '',
      loading: 'lazy',
      width: 160,
      height: 100,
    }),
    h('div', { class: 'board-item-body' },
      h('h2', { class: 'board-item-title' }, categoryBadge(post.category), h('span', { text: post.title })),
      post.excerpt ? h('p', { class: 'board-excerpt', text: post.excerpt }) : null,
      metaLine(post)));
  return h('li', { class: 'board-item', dataset: { category: post.category } }, link);
}

export async function render(main, _params, query) {
  const category = CATEGORIES.includes(query.get('category')) ? query.get('category') : '';
  const q = (query.get('q') || '').slice(0, 100);
  const signedIn = Boolean(api.user());
  main.append(pageHeader(t('board.title'),
    signedIn ? h('a', { class: 'button', href: '/board/new', 'data-link': true, text: t('board.write') }) : null));
  main.append(h('p', { class: 'lead', text: t('board.lead') }));

  const go = (next) => {
    const params = new URLSearchParams();
    if (next.category) params.set('category', next.category);
    if (next.q) params.set('q', next.q);
    const qs = params.toString();
    navigate(qs ? `/board?${qs}` : '/board');
  };

  const tabs = h('nav', { class: 'board-tabs', 'aria-label': t('board.fieldCategory') },
    ['', ...CATEGORIES].map((c) => h('a', {
      href: c ? `/board?category=${c}` : '/board',
      class: ['board-tab', c === category ? 'active' : ''],
      'aria-current': c === category ? 'page' : false,
      dataset: { category: c || 'all' },
      on: { click: (e) => { e.preventDefault(); go({ category: c, q }); } },
      text: t(c ? `board.cat.${c}` : 'board.cat.all'),
    })));
  const search = h('input', { type: 'search', id: 'board-q', name: 'q', maxlength: 100, placeholder: t('board.searchPlaceholder'), value: q });
  const searchForm = h('form', { class: 'board-search', role: 'search' },
    h('label', { for: 'board-q', class: 'visually-hidden', text: t('board.searchLabel') }),
    search,
    h('button', { type: 'submit', class: 'button button-ghost', text: t('board.search') }));
  searchForm.addEventListener('submit', (e) => {
    e.preventDefault();
    go({ category, q: search.value.trim() });
  });

  const box = errorBox();
  const list = h('ul', { class: 'board-list plain' });
  const params = new URLSearchParams({ limit: '20' });
  if (category) params.set('category', category);
  if (q) params.set('q', q);
  const posts = pager({
    path: `/api/posts?${params}`,
    show: (items) => list.append(...items.map(item)),
    empty: () => list.append(emptyState(q ? t('board.noResults') : t('board.empty'))),
    onError: (error) => showError(error, { box }),
  });
  main.append(h('div', { class: 'board-toolbar' }, tabs, searchForm), box, list, posts.button);
  await posts.load();
}
