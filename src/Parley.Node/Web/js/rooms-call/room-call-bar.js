// The room call's bar: while this page is in a room's call, every view but the call's own shows the
// room, how many are in it, Mute and Leave, and a way back to the tiles (as a 1:1 call's bar does).

import { h, fill } from '../dom.js';
import { roomCall, onRoomCallChange, leaveRoomCall } from './room-call.js';

let bar = null;
let shown = '';

export function wireRoomCallBar() {
  bar = h('div', { class: 'call-bar room-call-bar', role: 'region', 'aria-label': 'Room call in progress', hidden: true });
  document.body.append(bar);
  onRoomCallChange(render);
  window.addEventListener('hashchange', render);
}

function render() {
  const engine = roomCall.engine;
  const [, view, ...rest] = location.hash.split('/');
  const onItsView = engine && view === 'roomcall' && decodeURIComponent(rest.join('/')) === engine.room;
  bar.hidden = !engine || onItsView;
  // Called ten times a second while in a call: rebuilt only when what it shows changed.
  const state = bar.hidden ? '' : JSON.stringify([engine.room, engine.peers.size, engine.muted]);
  if (state === shown) return;
  shown = state;
  if (bar.hidden) { bar.replaceChildren(); return; }
  const mute = h('button', { class: 'ghost small', 'aria-pressed': String(engine.muted) }, engine.muted ? 'Unmute' : 'Mute');
  const leave = h('button', { class: 'danger small' }, 'Leave');
  mute.addEventListener('click', () => engine.setMuted(!engine.muted));
  leave.addEventListener('click', () => { leave.disabled = true; leaveRoomCall(); });
  fill(bar, h('a', { href: `#/roomcall/${encodeURIComponent(engine.room)}`, class: 'call-bar-name', title: 'Back to the call' },
    h('strong', null, `${engine.room} call`), h('small', null, `${engine.peers.size + 1} in the call`)), mute, leave);
}
