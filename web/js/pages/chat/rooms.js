// What the chat pages share: the assistant list, and a room's title as people see it.

import * as api from '../../api.js';
import { t, pick } from '../../i18n.js';

let assistantsCache = null;

export async function assistants() {
  if (!assistantsCache) assistantsCache = await api.get('/api/assistants', { auth: false });
  return assistantsCache;
}

export function assistantName(list, id) {
  const a = list.find((x) => x.id === id);
  return a ? pick(a.name) : id;
}

/** A room's title as shown: a room without one yet (`title: null`) gets the UI's own words. */
export function roomTitle(title) {
  return title || t('chat.untitled');
}
