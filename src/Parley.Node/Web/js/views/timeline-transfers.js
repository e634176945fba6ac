// A file transfer in a 1:1 conversation's timeline, where the node put it when it began: what
// (every file named or counted), how big, then as it goes: Accept/Reject for an offer, progress and
// Cancel while it moves, one compact line when it is over ("verified", Open, Show folder).

import { api } from '../api.js';
import { h, fill, icon } from '../dom.js';
import { bytes, clock } from '../format.js';
import { state, watch } from '../state.js';
import { offerCard, transferCard } from './transfers.js';
import { act } from './common.js';

export const isTransferEntry = m => m.state === 'file';

const MOVING = ['offered', 'active', 'paused'];

/** The entry for message `m` (whose ID is the transfer's); it follows the transfer until it leaves the page. */
export function transferEntry(m) {
  const id = m.id.replaceAll('-', '');
  const li = h('li', { class: `timeline-entry file-entry ${m.outgoing ? 'out' : 'in'}`, dataset: { id: m.id, state: m.state, transfer: id } });
  let wasConnected = false;
  let shown = '';
  function render() {
    const t = state.transfers.find(x => x.id === id);
    const offer = state.offers.find(o => o.transfer.id === id);
    // Progress events come several times a second for some transfer: redraw only when this one changed.
    const now = JSON.stringify([Boolean(offer), t?.state, t?.bytesDone, t?.bytesPerSecond, t?.error]);
    if (now === shown) return;
    shown = now;
    li.dataset.transferState = offer ? 'pending' : t?.state ?? 'unknown';
    if (offer) fill(li, offerCard(offer));
    else if (t && MOVING.includes(t.state)) fill(li, transferCard(t));
    else fill(li, finished(m, t));
  }
  render();
  const stop = watch(['transfers', 'offers'], () => {
    if (li.isConnected) wasConnected = true;
    else if (wasConnected) { stop(); return; }
    render();
  });
  return li;
}

/** One line: the files, the size, the outcome; for what we received, Open and Show folder. */
function finished(m, t) {
  const outcome = !t ? null
    : t.state === 'completed' ? h('span', { class: 'verified' }, '✓ verified')
      : h('span', { class: 'muted' }, t.state === 'rejected' ? 'declined' : t.state, t.error ? `: ${t.error}` : '');
  const actions = [];
  if (t?.state === 'completed' && t.direction === 'incoming') {
    for (const [label, what] of [['Open', 'open'], ['Show folder', 'show-folder']]) {
      const button = h('button', { class: 'ghost small' }, label);
      button.addEventListener('click', () => act(button, () => api.post(`/api/transfers/${t.id}/${what}`)));
      actions.push(button);
    }
  }
  return h('div', { class: 'file-line' }, icon('files'),
    h('span', { class: 'entry-text' }, m.outgoing ? 'You sent ' : '', h('span', { class: 'file-name' }, m.text.replace(/^Files?: /, ''))),
    t ? h('small', { class: 'muted' }, bytes(t.totalBytes)) : null, outcome, h('small', { class: 'muted' }, clock(m.sentAt)),
    actions.length ? h('span', { class: 'file-actions' }, actions) : null);
}
