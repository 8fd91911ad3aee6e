// Chat: `/chat` lists your rooms and makes a new one; `/chat/{id}` is a conversation whose
// answers stream as they arrive. Drafts survive errors, reloads and sign-in.

import * as quota from '../../quota.js';
import { h } from '../../dom.js';
import { t } from '../../i18n.js';
import { setBusy } from '../../router.js';
import { pageHeader, loadInto } from '../../ui.js';
import { assistants } from './rooms.js';
import { sidebar } from './sidebar.js';
import { newRoomForm } from './new-room.js';
import { conversation } from './conversation.js';

export async function render(main, params) {
  quota.setScope('chat');
  const list = await loadInto(main, assistants());
  if (!list) return undefined;
  const layout = h('div', { class: ['chat-layout', params.id ? 'has-room' : 'no-room'] });
  main.append(layout);
  if (!params.id) {
    layout.append(sidebar(null, list), h('div', { class: 'chat-main' }, pageHeader(t('chat.title')), h('p', { class: 'muted', text: t('chat.lead') }), newRoomForm(list)));
    return undefined;
  }
  const convo = await conversation(params.id, list);
  if (convo instanceof Node) {
    layout.append(sidebar(params.id, list), convo);
    return undefined;
  }
  layout.append(sidebar(params.id, list), convo.el);
  setBusy(convo.busy);
  const log = convo.el.querySelector('.messages');
  if (log) log.scrollTop = log.scrollHeight;
  return () => convo.abort();
}
