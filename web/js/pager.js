// "Load more" for the API's cursor-paginated lists (`{items, next_cursor}`): one button,
// one cursor, the empty state of a list with nothing in it, and no stale pages after a reset.

import * as api from './api.js';
import { h, busy } from './dom.js';
import { t } from './i18n.js';

/**
 * `path` is the list's URL with its query (`/api/rooms?limit=30`), or a function returning
 * it; `show(items, first)` draws one page; `empty()` draws the state of a list with no items
 * at all; `onError(error)` reports a page that failed. Returns `{button, load, reset, reload}`:
 * `load()` fetches the next page (the first one after a reset) and reports its errors,
 * `reload()` starts over and rejects on error instead.
 */
export function pager({ path, show, empty, onError, label }) {
  const button = h('button', { type: 'button', class: 'button button-ghost button-small', hidden: true, text: label || t('common.loadMore') });
  let cursor = null;
  let round = 0;

  async function next(mine) {
    const first = !cursor;
    const url = typeof path === 'function' ? path() : path;
    const page = await api.get(cursor ? `${url}&cursor=${encodeURIComponent(cursor)}` : url);
    if (mine !== round) return; // reset while this page was on its way
    show(page.items, first);
    if (first && !page.items.length && empty) empty();
    cursor = page.next_cursor || null;
    button.hidden = !cursor;
  }

  function reset() {
    round += 1;
    cursor = null;
    button.hidden = true;
  }

  async function load() {
    const mine = round;
    try {
      await next(mine);
    } catch (error) {
      if (mine === round && onError) onError(error);
    }
  }

  button.addEventListener('click', () => busy(button, load));
  return {
    button,
    load,
    reset,
    reload() {
      reset();
      return next(round);
    },
  };
}
