// Chat: `/chat` lets you type at once (the room is made with the first message) beside your
// rooms; `/chat/{id}` is a conversation whose answers stream as they arrive and survive a
// reload. `?m={message id}` opens the room at that message (a search hit). The layout
// fills the window so the composer never leaves the screen.

import * as quota from '../../quota.js';
import { h } from '../../dom.js';
import { loadInto } from '../../ui.js';
import { assistants } from './rooms.js';
import { sidebar } from './sidebar.js';
import { newChat } from './new-room.js';
import { conversation } from './conversation.js';

/** Sizes the layout to the window below the header (and any flash line) as they change. */
function fitToWindow(layout) {
  const fit = () => {
    if (!layout.isConnected) return;
    const top = layout.getBoundingClientRect().top + window.scrollY;
    layout.style.setProperty('--chat-height', `${Math.max(320, Math.floor(window.innerHeight - top - 12))}px`);
  };
  fit();
  const observer = new ResizeObserver(fit);
  for (const el of [document.querySelector('.topbar'), document.getElementById('flash')]) if (el) observer.observe(el);
  window.addEventListener('resize', fit);
  return () => {
    observer.disconnect();
    window.removeEventListener('resize', fit);
  };
}

export async function render(main, params, query) {
  quota.setScope('chat');
  const list = await loadInto(main, assistants());
  if (!list) return undefined;
  const layout = h('div', { class: ['chat-layout', params.id ? 'has-room' : 'no-room'] });
  main.append(layout);
  if (!params.id) {
    const start = newChat(list);
    layout.append(h('div', { class: 'chat-main' }, start.el), sidebar(null, list));
    const unfit = fitToWindow(layout);
    return () => {
      unfit();
      start.destroy();
    };
  }
  const convo = await conversation(params.id, list, { target: query && query.get('m') });
  if (convo instanceof Node) {
    layout.append(sidebar(params.id, list), convo);
    return undefined;
  }
  layout.append(sidebar(params.id, list), convo.el);
  const unfit = fitToWindow(layout);
  await convo.start();
  return () => {
    unfit();
    convo.abort();
  };
}
