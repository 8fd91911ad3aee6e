// What the user typed but has not sent yet (chat messages, interview answers), kept in
// this tab's sessionStorage so an error, a reload or a new sign-in never loses it.

const PREFIX = 'confab.draft.';

export function loadDraft(key) {
  try {
    return sessionStorage.getItem(PREFIX + key) || '';
  } catch {
    return '';
  }
}

/** Saves `text` under `key`; empty text removes the draft. Returns whether it was kept. */
export function saveDraft(key, text) {
  try {
    if (text) sessionStorage.setItem(PREFIX + key, text);
    else sessionStorage.removeItem(PREFIX + key);
    return true;
  } catch {
    return false; // drafts are a convenience; the caller may warn before leaving
  }
}

/** Forgets every draft (at logout and account deletion). */
export function clearDrafts() {
  try {
    for (const key of Object.keys(sessionStorage)) {
      if (key.startsWith(PREFIX) || key === 'confab.cheatsheet') sessionStorage.removeItem(key);
    }
  } catch {
    /* nothing stored */
  }
}
