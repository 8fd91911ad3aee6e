// Boots the UI: restores the session from the refresh cookie, draws the header (the apps'
// links from apps.js, then the account links), and starts the router.

import * as api from './api.js';
import * as quota from './quota.js';
import * as router from './router.js';
import { h, mount } from './dom.js';
import { flash, errorText } from './ui.js';
import { t, language, setLanguage, events as i18nEvents } from './i18n.js';
import { navLinks } from './apps.js';

router.setGuard((route, path) => {
  if (route.private && !api.user()) return `/login?next=${encodeURIComponent(path)}`;
  if (route.guestOnly && api.user()) return '/chat';
  return null;
});

const NAV = navLinks();

function renderNav() {
  const nav = document.getElementById('nav');
  const user = api.user();
  const links = NAV.filter((item) => (!item.private || user) && (!item.role || (user && user.role === item.role))).map((item) => h('a', { href: item.href, 'data-link': true, text: t(item.label) }));
  if (user) {
    links.push(h('a', { href: '/profile', 'data-link': true, class: 'nav-user', text: user.username }));
    links.push(h('button', { type: 'button', class: 'link-button', id: 'logout', text: t('nav.logout'), on: { click: logout } }));
  } else {
    links.push(h('a', { href: '/login', 'data-link': true, text: t('nav.login') }));
    links.push(h('a', { href: '/signup', 'data-link': true, class: 'button button-small', text: t('nav.signup') }));
  }
  mount(nav, links);
  markCurrent();
  const toggle = document.getElementById('lang-toggle');
  toggle.textContent = language() === 'ko' ? 'English' : '한국어';
  toggle.lang = language() === 'ko' ? 'en' : 'ko';
  toggle.title = t('nav.language');
  nav.setAttribute('aria-label', t('nav.main'));
  document.getElementById('nav-toggle-label').textContent = t('nav.menu');
  document.getElementById('footer-text').textContent = t('footer.text');
  document.getElementById('footer-settings').textContent = t('nav.settings');
  document.querySelector('.skip-link').textContent = t('nav.skip');
}

function markCurrent() {
  const path = window.location.pathname;
  for (const a of document.querySelectorAll('#nav a')) {
    const href = a.getAttribute('href');
    const active = href === path || (href !== '/' && path.startsWith(href + '/') && !NAV.some((n) => n.href !== href && n.href.startsWith(href) && path.startsWith(n.href)));
    if (active) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

async function logout() {
  try {
    await api.logout();
  } catch (error) {
    // The server could not be told: stay signed in rather than pretend.
    flash(`${t('auth.logoutFailed')} ${errorText(error)}`, 'warn');
    return;
  }
  flash(t('auth.loggedOut'));
  router.navigate('/login');
}

function setupChrome() {
  const toggle = document.getElementById('nav-toggle');
  const nav = document.getElementById('nav');
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(open));
    nav.classList.toggle('is-open', open);
  });
  document.addEventListener('confab:routed', () => {
    toggle.setAttribute('aria-expanded', 'false');
    nav.classList.remove('is-open');
    markCurrent();
  });
  document.getElementById('lang-toggle').addEventListener('click', () => {
    setLanguage(language() === 'ko' ? 'en' : 'ko');
  });
  i18nEvents.addEventListener('change', () => {
    renderNav();
    quota.renderBadge();
    // Redraw the page in the new language unless that would lose work on screen
    // (a streaming answer, a grade being read); then it applies from the next page on.
    if (router.isBusy()) flash(t('nav.languageLater'));
    else router.refresh();
  });
  api.events.addEventListener('auth', renderNav);
  api.events.addEventListener('session-ended', (event) => {
    const reason = event.detail && event.detail.reason;
    flash(reason === 'refresh_token_reused' ? t('auth.sessionReused') : t('auth.sessionEnded'), 'warn');
    const here = window.location.pathname + window.location.search;
    if (!here.startsWith('/login')) router.navigate(`/login?next=${encodeURIComponent(here)}`, { replace: true });
  });
}

async function boot() {
  setupChrome();
  renderNav();
  try {
    await api.refresh();
  } catch {
    flash(t('error.network'), 'warn');
  }
  await router.start();
}

boot();
