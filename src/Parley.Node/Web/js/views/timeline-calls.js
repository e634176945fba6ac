// A call in a 1:1 conversation's timeline: "Video call, 2:31", "Voice call: declined", or a missed
// call (marked as such), with Call back. The node writes these entries when a call ends.

import { h, icon } from '../dom.js';
import { clock } from '../format.js';
import { placeCall, calls } from '../calls/session.js';
import { act } from './common.js';

export const isCallEntry = m => m.state === 'call' || m.state === 'missedCall';

export function callEntry(m) {
  const video = /video call/i.test(m.text);
  const back = h('button', { class: 'ghost small', disabled: Boolean(calls.call) }, m.outgoing ? 'Call again' : 'Call back');
  back.addEventListener('click', () => act(back, () => { location.hash = '#/calls'; return placeCall(m.peer, video); }));
  return h('li', { class: `timeline-entry call-entry ${m.state === 'missedCall' ? 'missed' : ''} ${m.outgoing ? 'out' : 'in'}`, dataset: { id: m.id, state: m.state } },
    icon('calls'), h('span', { class: 'entry-text' }, m.text), h('small', { class: 'muted' }, clock(m.sentAt)), back);
}
