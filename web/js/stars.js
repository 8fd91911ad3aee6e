// The favourite star shared by the interview screens: one button per question that adds it
// to, or removes it from, the caller's favourites ("only for me").

import * as api from './api.js';
import { h } from './dom.js';
import { t } from './i18n.js';
import { showError } from './ui.js';

let known = null;

const key = (question) => question.trim().replace(/\s+/g, ' ').toLowerCase();

/** Loads the caller's favourites (first 200) so stars show their state. */
export async function loadStars() {
  known = new Map();
  try {
    const page = await api.get('/api/interview/favorites?limit=200');
    for (const f of page.items) known.set(key(f.question), f.id);
  } catch {
    /* stars still work; they just start empty */
  }
  return known;
}

export function forget(id) {
  if (!known) return;
  for (const [k, v] of known) if (v === id) known.delete(k);
}

/**
 * A toggle button for `item` ({question, intent, model_answer, difficulty}) of `field`;
 * `source` says where it came from (`session`, `cheatsheet`).
 */
export function starButton(item, field, source) {
  const button = h('button', { type: 'button', class: 'star', 'aria-pressed': 'false' });
  const draw = () => {
    const on = Boolean(known && known.get(key(item.question)));
    button.setAttribute('aria-pressed', String(on));
    button.textContent = on ? `★ ${t('star.on')}` : `☆ ${t('star.off')}`;
    button.title = on ? t('star.remove') : t('star.add');
  };
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const id = known && known.get(key(item.question));
      if (id) {
        await api.del(`/api/interview/favorites/${id}`);
        known.delete(key(item.question));
      } else {
        const fav = await api.post('/api/interview/favorites', {
          field,
          difficulty: item.difficulty,
          question: item.question,
          intent: item.intent || '',
          model_answer: item.model_answer || '',
          source,
        });
        if (!known) known = new Map();
        known.set(key(item.question), fav.id);
      }
    } catch (error) {
      showError(error);
    } finally {
      button.disabled = false;
      draw();
    }
  });
  draw();
  return button;
}
