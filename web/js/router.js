// A small History-API router. Each route names a page module that exports
// `render(main, params, query)`; it may return a cleanup function, called before the next
// page renders. After each render focus moves to the page's first heading so screen
// readers and keyboard users start at the new content.

const routes = [];
let cleanup = null;
let guard = null;
let renderSeq = 0;

/** Registers `pattern` ("/chat/:id") for a lazily imported page module. */
export function route(pattern, load, options = {}) {
  const names = [];
  const regex = new RegExp(
    '^' + pattern.replace(/\/:(\w+)/g, (m, name) => {
      names.push(name);
      return '/([^/]+)';
    }) + '/?$',
  );
  routes.push({ regex, names, load, ...options });
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

/** Renders the current location again (after a language switch or sign-in). */
export function refresh() {
  return render({ keepFocus: true });
}

function match(pathname) {
  for (const r of routes) {
    const m = r.regex.exec(pathname);
    if (m) {
      const params = {};
      r.names.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1]);
      });
      return { route: r, params };
    }
  }
  return null;
}

async function render({ keepFocus = false } = {}) {
  const seq = ++renderSeq;
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
  const module = await found.route.load();
  if (seq !== renderSeq) return;
  main.replaceChildren();
  main.dataset.page = found.route.name || '';
  const query = new URLSearchParams(window.location.search);
  const result = await module.render(main, found.params, query);
  if (seq !== renderSeq) {
    if (typeof result === 'function') result();
    return;
  }
  cleanup = typeof result === 'function' ? result : null;
  document.dispatchEvent(new CustomEvent('confab:routed', { detail: { name: found.route.name, path: pathname } }));
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
    event.preventDefault();
    if (url.pathname + url.search !== window.location.pathname + window.location.search) navigate(url.pathname + url.search);
  });
  window.addEventListener('popstate', () => render());
  return render();
}
