// The UI's apps, one entry each; the router, the nav, the home tiles and the strings all
// read this list, so an app is its folder under pages/ plus one entry here.
//
// An entry:
//   id       the app's name (its folder under pages/)
//   locale   `{ko: {...}, en: {...}}`: the app's strings, merged into i18n at start
//   routes   `{path, page, load, private?, guestOnly?}`: `path` may hold `:name` segments
//            (given to the page as params), `page` names it (main[data-page]), `load()`
//            imports a module exporting `render(main, params, query)`; `private` pages
//            send visitors to log in, `guestOnly` pages send members on
//   nav      `{href, label, private?, role?}`: links in the header, in this order (`label` is
//            a key; `role` shows the link only to users with that role)
//   tiles    `{href, title, body, icon?}`: cards on the home page (keys; `icon` an image URL)
// Static imports are fine for the small locale modules (there is no build step); pages load
// only when their route is visited. Imports stay relative so they keep the versioned URL.

import homeLocale from './pages/home/locale.js';
import accountLocale from './pages/account/locale.js';
import chatLocale from './pages/chat/locale.js';
import interviewLocale from './pages/interview/locale.js';
import boardLocale from './pages/board/locale.js';
import tarotLocale from './pages/tarot/locale.js';
import namingLocale from './pages/naming/locale.js';
import travelLocale from './pages/travel/locale.js';
import adminLocale from './pages/admin/locale.js';

export const APPS = [
  {
    id: 'home',
    locale: homeLocale,
    routes: [
      { path: '/', page: 'home', load: () => import('./pages/home/home.js') },
      { path: '/404', page: '404', load: () => import('./pages/home/notfound.js') },
    ],
  },
  {
    id: 'account',
    locale: accountLocale,
    routes: [
      { path: '/login', page: 'login', guestOnly: true, load: () => import('./pages/account/login.js') },
      { path: '/signup', page: 'signup', guestOnly: true, load: () => import('./pages/account/signup.js') },
      { path: '/profile', page: 'profile', private: true, load: () => import('./pages/account/profile.js') },
      { path: '/settings', page: 'settings', load: () => import('./pages/account/settings.js') },
    ],
  },
  {
    id: 'chat',
    locale: chatLocale,
    routes: [
      { path: '/chat', page: 'chat', private: true, load: () => import('./pages/chat/chat.js') },
      { path: '/chat/:id', page: 'room', private: true, load: () => import('./pages/chat/chat.js') },
    ],
    nav: [{ href: '/chat', label: 'chat.nav', private: true }],
    tiles: [{ href: '/chat', title: 'chat.tile.title', body: 'chat.tile.body' }],
  },
  // Naming rooms live in the chat; this app adds their start form and name chips.
  { id: 'naming', locale: namingLocale },
  {
    id: 'interview',
    locale: interviewLocale,
    routes: [
      { path: '/interview', page: 'interview', private: true, load: () => import('./pages/interview/interview.js') },
      { path: '/interview/sessions/:id', page: 'interview-session', private: true, load: () => import('./pages/interview/session.js') },
      { path: '/interview/cheatsheet', page: 'cheatsheet', private: true, load: () => import('./pages/interview/cheatsheet.js') },
      { path: '/interview/favorites', page: 'favorites', private: true, load: () => import('./pages/interview/favorites.js') },
    ],
    nav: [
      { href: '/interview', label: 'interview.nav', private: true },
      { href: '/interview/cheatsheet', label: 'cheatsheet.nav', private: true },
      { href: '/interview/favorites', label: 'favorites.nav', private: true },
    ],
    tiles: [
      { href: '/interview', title: 'interview.tile.title', body: 'interview.tile.body' },
      { href: '/interview/cheatsheet', title: 'cheatsheet.tile.title', body: 'cheatsheet.tile.body' },
      { href: '/interview/favorites', title: 'favorites.tile.title', body: 'favorites.tile.body' },
    ],
  },
  {
    id: 'board',
    locale: boardLocale,
    routes: [
      { path: '/board', page: 'board', load: () => import('./pages/board/board.js') },
      { path: '/board/new', page: 'board-editor', private: true, load: () => import('./pages/board/editor.js') },
      { path: '/board/:id/edit', page: 'board-editor', private: true, load: () => import('./pages/board/editor.js') },
      { path: '/board/:id', page: 'board-post', load: () => import('./pages/board/post.js') },
    ],
    nav: [{ href: '/board', label: 'board.nav' }],
    tiles: [{ href: '/board', title: 'board.tile.title', body: 'board.tile.body' }],
  },
  {
    id: 'tarot',
    locale: tarotLocale,
    routes: [
      { path: '/tarot', page: 'tarot', load: () => import('./pages/tarot/deck.js') },
      { path: '/tarot/reading', page: 'tarot-reading', private: true, load: () => import('./pages/tarot/reading.js') },
      { path: '/tarot/readings', page: 'tarot-readings', private: true, load: () => import('./pages/tarot/readings.js') },
      { path: '/tarot/readings/:id', page: 'tarot-reading-saved', private: true, load: () => import('./pages/tarot/readings.js') },
      { path: '/tarot/shops', page: 'tarot-shops', private: true, load: () => import('./pages/tarot/shops.js') },
    ],
    nav: [
      { href: '/tarot', label: 'tarot.nav' },
      { href: '/tarot/reading', label: 'tarot.readingNav', private: true },
    ],
    tiles: [
      { href: '/tarot', title: 'tarot.tile.title', body: 'tarot.tile.body' },
      { href: '/tarot/reading', title: 'tarot.readingTile.title', body: 'tarot.readingTile.body' },
    ],
  },
  {
    id: 'travel',
    locale: travelLocale,
    routes: [
      { path: '/travel', page: 'travel', private: true, load: () => import('./pages/travel/travel.js') },
      { path: '/travel/plans/:id', page: 'travel-plan', private: true, load: () => import('./pages/travel/plan.js') },
    ],
    nav: [{ href: '/travel', label: 'travel.nav', private: true }],
    tiles: [{ href: '/travel', title: 'travel.tile.title', body: 'travel.tile.body' }],
  },
  {
    id: 'admin',
    locale: adminLocale,
    routes: [{ path: '/admin', page: 'admin', private: true, load: () => import('./pages/admin/admin.js') }],
    nav: [{ href: '/admin', label: 'admin.nav', private: true, role: 'admin' }],
  },
];

/** Every route of every app, in manifest order. */
export const routes = () => APPS.flatMap((app) => (app.routes || []).map((r) => ({ ...r, app: app.id })));

/** The header links of every app, in manifest order. */
export const navLinks = () => APPS.flatMap((app) => app.nav || []);

/** The home page's tiles of every app, in manifest order. */
export const tiles = () => APPS.flatMap((app) => app.tiles || []);
