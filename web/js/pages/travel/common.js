// What the travel pages share: the options and the dataset (each fetched once), their
// labels, the app's stylesheet, and small formatters.

import * as api from '../../api.js';
import { h } from '../../dom.js';
import { pick, language } from '../../i18n.js';

let optionsPromise = null;
let attractionsPromise = null;

/** Styles, transports and limits (public, cached for the page's life). */
export function options() {
  optionsPromise = optionsPromise || api.get('/api/travel/options').catch((error) => {
    optionsPromise = null;
    throw error;
  });
  return optionsPromise;
}

/** The attraction dataset (public, cached). */
export function attractions() {
  attractionsPromise = attractionsPromise || api.get('/api/travel/attractions').catch((error) => {
    attractionsPromise = null;
    throw error;
  });
  return attractionsPromise;
}

/** The label of an option id in the UI language. */
export function label(items, id) {
  const found = (items || []).find((i) => i.id === id);
  return found ? pick(found.label) : id;
}

/** Adds the app's stylesheet once (screen and print rules). */
export function useStyles() {
  if (document.getElementById('travel-css')) return;
  const href = new URL('./travel.css', import.meta.url).href;
  document.head.append(h('link', { id: 'travel-css', rel: 'stylesheet', href }));
}

/** A whole number with the UI language's grouping. */
export function money(n) {
  return new Intl.NumberFormat(language() === 'ko' ? 'ko-KR' : 'en-US', { maximumFractionDigits: 0 }).format(n);
}

/** `YYYY-MM-DD` `days` after today, in the browser's time zone. */
export function dayFromToday(days) {
  const d = new Date();
  d.setDate(d.getDate() + days);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
