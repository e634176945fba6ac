// Chats: the conversation list (with unread counts) and search beside one conversation, 1:1 or
// #room (views/conversation.js).

import { seg } from '../api.js';
import { h, put, fill, avatar } from '../dom.js';
import { ago } from '../format.js';
import { state, watch, nameOf, contactOf } from '../state.js';
import { openConversation } from './conversation.js';
import { chatSearch } from './chat-search.js';

export function mount(main, key) {
  main.classList.add('split');
  main.classList.toggle('has-open', Boolean(key));
  const list = h('ul', { class: 'conversations', 'aria-label': 'Conversations' });
  const pane = h('section', { class: 'conversation', 'aria-label': key ? `Conversation with ${nameOf(key)}` : 'No conversation open' });
  const search = chatSearch(list);
  put(main, [h('aside', { class: 'conversation-list' }, h('header', { class: 'list-header' }, h('h1', null, 'Chats')), search.input, search.results, list), pane]);

  function renderList() {
    const byKey = new Map(state.conversations.map(c => [c.peer, c]));
    const keys = [...state.conversations.map(c => c.peer), ...state.peers.contacts.map(c => c.deviceId), ...state.rooms.joined];
    const unique = [...new Set(keys)];
    if (unique.length === 0) {
      fill(list, h('li', { class: 'empty' }, 'No conversations yet. ', h('a', { href: '#/home' }, 'Invite someone'), ' to start.'));
      return;
    }
    fill(list, unique.map(k => {
      const c = byKey.get(k);
      const contact = contactOf(k);
      return h('li', null, h('a', { href: `#/chats/${seg(k)}`, 'aria-current': k === key ? 'true' : null, class: 'conversation-item' },
        k.startsWith('#') ? h('span', { class: 'avatar room', 'aria-hidden': 'true' }, '#') : avatar(nameOf(k), k),
        h('span', { class: 'conversation-text' },
          h('span', { class: 'conversation-top' }, h('strong', null, nameOf(k)), c ? h('small', null, ago(c.lastAt)) : null),
          h('small', { class: 'preview' }, c ? `${c.lastOutgoing ? 'You: ' : ''}${c.lastText}` : contact?.online ? 'online' : 'no messages yet')),
        c?.unread ? h('span', { class: 'badge', 'aria-label': `${c.unread} unread` }, String(c.unread)) : null,
        contact?.online ? h('span', { class: 'dot online', 'aria-hidden': 'true' }) : null));
    }));
  }

  renderList();
  const stops = [watch(['conversations', 'peers', 'rooms'], renderList)];
  if (key) stops.push(openConversation(pane, key));
  else fill(pane, h('div', { class: 'placeholder' }, h('p', null, 'Choose a conversation, or drop files on one to send them.')));
  return () => stops.forEach(stop => stop());
}
