// Social login: the providers this server is configured for, their buttons (marks drawn
// here in SVG, no outside images), and the words for what a provider flow reports back
// (`?oauth_error=` on /login and /profile). A sign-in starts with a plain link: the CSP's
// `form-action 'self'` would stop a form's redirect to another site.

import * as api from '../../api.js';
import { h } from '../../dom.js';
import { t, has } from '../../i18n.js';

const SVG = 'http://www.w3.org/2000/svg';

function svg(children) {
  const el = document.createElementNS(SVG, 'svg');
  el.setAttribute('viewBox', '0 0 24 24');
  el.setAttribute('width', '20');
  el.setAttribute('height', '20');
  el.setAttribute('aria-hidden', 'true');
  el.setAttribute('focusable', 'false');
  for (const [tag, attrs] of children) {
    const child = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) child.setAttribute(k, v);
    el.append(child);
  }
  return el;
}

/** A point on the Google mark's circle, `deg` clockwise from the right. */
function at(deg) {
  const r = (deg * Math.PI) / 180;
  return `${(12 + 8 * Math.cos(r)).toFixed(2)} ${(12 + 8 * Math.sin(r)).toFixed(2)}`;
}

function arc(from, to, color) {
  return ['path', { d: `M ${at(from)} A 8 8 0 0 1 ${at(to)}`, fill: 'none', stroke: color, 'stroke-width': '3.6' }];
}

const MARKS = {
  // Kakao: the speech bubble.
  kakao: () => svg([['path', { fill: '#000000', d: 'M12 3.5c-5.25 0-9.5 3.34-9.5 7.46 0 2.66 1.77 5 4.44 6.32l-.9 3.3c-.08.3.25.53.5.36l3.94-2.6c.5.06 1 .09 1.52.09 5.25 0 9.5-3.34 9.5-7.47S17.25 3.5 12 3.5z' }]]),
  // GitHub: the cat in a circle.
  github: () => svg([['path', { fill: 'currentColor', d: 'M12 2a10 10 0 0 0-3.16 19.49c.5.09.68-.22.68-.48v-1.7c-2.78.6-3.37-1.34-3.37-1.34-.45-1.16-1.11-1.47-1.11-1.47-.91-.62.07-.6.07-.6 1 .07 1.53 1.03 1.53 1.03.9 1.52 2.34 1.08 2.91.83.09-.65.35-1.09.63-1.34-2.22-.25-4.55-1.11-4.55-4.94 0-1.09.39-1.98 1.03-2.68-.1-.25-.45-1.27.1-2.65 0 0 .84-.27 2.75 1.02a9.6 9.6 0 0 1 5 0c1.91-1.29 2.75-1.02 2.75-1.02.55 1.38.2 2.4.1 2.65.64.7 1.03 1.59 1.03 2.68 0 3.84-2.34 4.68-4.57 4.93.36.31.68.92.68 1.85v2.74c0 .27.18.58.69.48A10 10 0 0 0 12 2z' }]]),
  // Google: the four-colour G.
  google: () => svg([
    arc(0, 45, '#4285F4'),
    arc(45, 135, '#34A853'),
    arc(135, 200, '#FBBC05'),
    arc(200, 318, '#EA4335'),
    ['path', { d: 'M12.5 12 H20', stroke: '#4285F4', 'stroke-width': '3.6' }],
  ]),
};

/** The provider's name in the UI language. */
export function providerName(id) {
  return has(`social.name.${id}`) ? t(`social.name.${id}`) : id;
}

/** The enabled providers (an empty list when none, or when the server cannot say). */
export async function providers() {
  try {
    const body = await api.get('/api/auth/providers', { auth: false });
    return (body && body.providers) || [];
  } catch {
    return [];
  }
}

/** A provider's mark, for lists. */
export function mark(id) {
  return MARKS[id] ? MARKS[id]() : null;
}

/**
 * The sign-in buttons, one per configured provider, filled in when the list arrives.
 * `next` is where to land afterwards.
 */
export function socialButtons(next) {
  const list = h('div', { class: 'social-buttons', hidden: true });
  const section = h('div', { class: 'social' },
    list,
    h('p', { class: 'social-divider', hidden: true }, h('span', { text: t('social.or') })));
  providers().then((items) => {
    const known = items.filter((p) => MARKS[p.id]);
    if (!known.length) return;
    for (const p of known) {
      const href = `${api.apiBase()}${p.authorize_url}${next ? `?next=${encodeURIComponent(next)}` : ''}`;
      list.append(h('a', { class: `social-button social-${p.id}`, href, 'data-provider': p.id },
        mark(p.id), h('span', { text: t(`social.continue.${p.id}`) })));
    }
    list.hidden = false;
    section.querySelector('.social-divider').hidden = false;
  });
  return section;
}

/** Words for `?oauth_error=` (and the provider it came from), or null when none. */
export function oauthErrorText(query) {
  const code = query.get('oauth_error');
  if (!code) return null;
  const provider = providerName(query.get('provider') || '');
  const key = has(`social.error.${code}`) ? `social.error.${code}` : 'social.error.provider_error';
  return t(key, { provider });
}
