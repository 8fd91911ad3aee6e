// Nearby tarot shops (/tarot/shops): a list from the server's Kakao Local proxy, around the
// browser's location when the user allows it, else around Seoul City Hall; and a map when
// the server has a Kakao Maps key. The map runs in a frame sandboxed to scripts only (an
// opaque origin: it cannot reach this page, its storage or its token), served with its own
// CSP, and gets the places by postMessage.

import * as api from '../../api.js';
import { h, mount } from '../../dom.js';
import { t, formatNumber } from '../../i18n.js';
import { pageHeader, emptyState, loadInto } from '../../ui.js';
import { tarotTabs } from './common.js';

function distance(m) {
  return m >= 1000 ? `${formatNumber(m / 1000, 1)} km` : `${formatNumber(m)} m`;
}

function shopItem(s) {
  return h('li', { class: 'card tarot-shop' },
    h('h3', { text: s.name }),
    h('p', { class: 'muted', text: t('tarot.shops.distance', { d: distance(s.distance_m) }) }),
    h('p', { text: s.road_address || s.address }),
    s.phone ? h('p', {}, h('a', { href: `tel:${s.phone.replace(/[^0-9+]/g, '')}`, text: s.phone })) : null,
    s.url && /^https?:\/\//.test(s.url) ? h('p', {}, h('a', { href: s.url, target: '_blank', rel: 'noopener noreferrer', text: t('tarot.shops.onMap') })) : null);
}

function mapFrame(list) {
  const frame = h('iframe', { class: 'tarot-map', title: t('tarot.shops.map'), sandbox: 'allow-scripts', src: '/api/tarot/shops/map', loading: 'lazy', referrerpolicy: 'no-referrer' });
  const send = () => frame.contentWindow && frame.contentWindow.postMessage({
    center: list.center,
    places: list.items.map((s) => ({ name: s.name, lat: s.lat, lng: s.lng })),
    failed: t('tarot.shops.mapFailed'),
  }, '*');
  const onMessage = (event) => {
    if (event.source === frame.contentWindow && event.data && event.data.tarotMap === 'ready') send();
  };
  window.addEventListener('message', onMessage);
  return { frame, stop: () => window.removeEventListener('message', onMessage) };
}

export async function render(main) {
  main.append(pageHeader(t('tarot.shops.title')), tarotTabs('/tarot/shops'), h('p', { class: 'lead', text: t('tarot.shops.lead') }));
  const locate = h('button', { type: 'button', class: 'button', text: t('tarot.shops.locate') });
  const hall = h('button', { type: 'button', class: 'button button-ghost', text: t('tarot.shops.cityHall') });
  const note = h('p', { class: 'muted', 'aria-live': 'polite' });
  const results = h('div', { class: 'stack' });
  main.append(h('div', { class: 'actions' }, locate, hall), note, results);
  let stopMap = () => {};

  const search = async (coords, why) => {
    stopMap();
    mount(results);
    const query = coords ? `?lat=${coords.latitude.toFixed(5)}&lng=${coords.longitude.toFixed(5)}` : '';
    const list = await loadInto(results, api.get(`/api/tarot/shops${query}`));
    if (!list) return;
    note.textContent = why || (list.default_center ? t('tarot.shops.aroundCityHall') : t('tarot.shops.aroundYou'));
    const parts = [];
    if (list.map) {
      const m = mapFrame(list);
      stopMap = m.stop;
      parts.push(m.frame);
    }
    parts.push(list.items.length ? h('ul', { class: 'stack tarot-shops' }, list.items.map(shopItem)) : emptyState(t('tarot.shops.empty')));
    mount(results, parts);
  };

  locate.addEventListener('click', () => {
    if (!navigator.geolocation) {
      search(null, t('tarot.shops.noLocation'));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (pos) => search(pos.coords),
      () => search(null, t('tarot.shops.noLocation')),
      { timeout: 8000, maximumAge: 300000 },
    );
  });
  hall.addEventListener('click', () => search(null));
  await search(null);
  return () => stopMap();
}
