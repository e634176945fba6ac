// Search across every conversation's history (the node's full-text index): results replace the
// conversation list while the box has text; choosing one opens its conversation at that message.

import { api } from '../api.js';
import { h, fill } from '../dom.js';
import { ago } from '../format.js';
import { showMessage } from './conversation.js';

/** The search box and its results list; <list> is hidden while results show. */
export function chatSearch(list) {
  const results = h('ul', { class: 'search-results', 'aria-label': 'Search results', hidden: true });
  const input = h('input', { type: 'search', class: 'chat-search', placeholder: 'Search messages', 'aria-label': 'Search messages' });
  let timer = null;
  let asked = 0;

  async function search() {
    const q = input.value.trim();
    results.hidden = q === '';
    list.hidden = q !== '';
    if (q === '') return;
    const ticket = ++asked;
    let hits;
    try {
      hits = await api.get(`/api/search?q=${encodeURIComponent(q)}&limit=50`);
    } catch (e) {
      if (ticket === asked) fill(results, h('li', { class: 'empty' }, e.message));
      return;
    }
    if (ticket !== asked) return; // a later search answered first
    fill(results, hits.length === 0 ? h('li', { class: 'empty' }, `Nothing found for “${q}”.`) : hits.map(hit => h('li', null,
      h('button', { type: 'button', class: 'search-hit', onclick: () => showMessage(hit.peer, hit.id) },
        h('span', { class: 'conversation-top' }, h('strong', null, hit.peerName), h('small', null, ago(hit.sentAt))),
        h('small', { class: 'preview' }, `${hit.outgoing ? 'You: ' : ''}${hit.snippet}`)))));
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  input.addEventListener('keydown', e => {
    if (e.key === 'Escape') {
      input.value = '';
      search();
    }
  });
  return { input, results };
}
