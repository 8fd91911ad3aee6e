// A small History-API router over the routes of apps.js. Each route loads a page module
// that exports `render(main, params, query)`; it may return a cleanup function, called
// before the next page renders. After each render focus moves to the page's first heading
// so screen readers and keyboard users start at the new content.

import { t } from './i18n.js';
import { routes as appRoutes } from './apps.js';

const routes = appRoutes().map(compile);
let cleanup = null;
let guard = null;
let renderSeq = 0;
let busyCheck = null;

/**
 * A page may say it holds work a re-render would lose (a streaming answer, a grade on
 * screen): `fn()` returns true while it does. Cleared on every navigation.
 */
export function setBusy(fn) {
  busyCheck = fn;
}

export function isBusy() {
  try {
    return Boolean(busyCheck && busyCheck());
  } catch {
    return false;
  }
}

/** A manifest route (`path` like "/chat/:id") with the regex that matches it. */
function compile(route) {
  const names = [];
  const regex = new RegExp(
    '^' + route.path.replace(/\/:(\w+)/g, (m, name) => {
      names.push(name);
      return '/([^/]+)';
    }) + '/?$',
  );
  return { ...route, regex, names };
}

/** `fn(route, path)` may return a path to redirect to (e.g. login for private pages). */
export function setGuard(fn) {
  guard = fn;
}

export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  return render();
}

/** Renders the current location again (after a language switch); focus stays on the
 * control with the same id when the new page has one. */
export async function refresh() {
  const focusedId = document.activeElement && document.activeElement.id;
  await render({ keepFocus: true });
  const again = focusedId && document.getElementById(focusedId);
  if (again) again.focus();
}

function match(pathname) {
  for (const r of routes) {
    const m = r.regex.exec(pathname);
    if (m) {
      const params = {};
      try {
        r.names.forEach((name, i) => {
          params[name] = decodeURIComponent(m[i + 1]);
        });
      } catch {
        return null; // a malformed escape is not a page
      }
      return { route: r, params };
    }
  }
  return null;
}

async function render({ keepFocus = false } = {}) {
  const seq = ++renderSeq;
  // Before anything else: what belonged to the last page (a flash line) may go.
  document.dispatchEvent(new CustomEvent('confab:navigating'));
  const main = document.getElementById('main');
  const { pathname, search } = window.location;
  let found = match(pathname) || match('/404');
  if (guard) {
    const redirect = guard(found.route, pathname + search);
    if (redirect) {
      history.replaceState(null, '', redirect);
      found = match(new URL(redirect, window.location.href).pathname) || found;
    }
  }
  if (cleanup) {
    try {
      cleanup();
    } catch {
      /* a page's cleanup must not break navigation */
    }
    cleanup = null;
  }
  busyCheck = null;
  // Each render gets its own container: a slow page that finishes after the user moved on
  // writes into a detached node, never into the next page.
  const view = document.createElement('div');
  view.className = 'view';
  let result;
  try {
    const module = await found.route.load();
    if (seq !== renderSeq) return;
    main.replaceChildren(view);
    main.dataset.page = found.route.page || '';
    const query = new URLSearchParams(window.location.search);
    result = await module.render(view, found.params, query);
  } catch (error) {
    if (seq !== renderSeq) return;
    main.replaceChildren(view);
    view.replaceChildren();
    const h1 = document.createElement('h1');
    h1.textContent = t('error.pageLoad');
    const p = document.createElement('p');
    const a = document.createElement('a');
    a.href = window.location.pathname + window.location.search;
    a.textContent = t('common.reload');
    a.addEventListener('click', (event) => {
      event.preventDefault();
      window.location.reload();
    });
    p.append(a);
    view.append(h1, p);
    console.error(error);
  }
  if (seq !== renderSeq) {
    if (typeof result === 'function') result();
    return;
  }
  cleanup = typeof result === 'function' ? result : null;
  document.dispatchEvent(new CustomEvent('confab:routed', { detail: { name: found.route.page, path: pathname } }));
  if (!keepFocus) {
    const heading = main.querySelector('h1');
    const target = heading || main;
    if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
    target.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }
}

/** Starts listening to links and history. */
export function start() {
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const a = event.target.closest('a');
    if (!a || a.target || a.hasAttribute('download')) return;
    const url = new URL(a.href, window.location.href);
    if (url.origin !== window.location.origin || url.pathname.startsWith('/api/')) return;
    // In-page anchors (the skip link) are the browser's job.
    if (url.hash && url.pathname === window.location.pathname && url.search === window.location.search) return;
    event.preventDefault();
    if (url.pathname + url.search !== window.location.pathname + window.location.search) navigate(url.pathname + url.search);
  });
  window.addEventListener('popstate', () => render());
  return render();
}
