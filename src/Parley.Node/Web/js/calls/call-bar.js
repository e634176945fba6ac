// The in-call bar: while a call rings or runs, every view but Calls shows who it is with, how long
// it has lasted, Mute and Hang up, and a way back to the call's tiles. It lives outside the views
// (on the body), so navigating never drops or hides the call.

import { h, fill, avatar } from '../dom.js';
import { calls, onCallChange, hangUp, elapsed } from './session.js';

let bar = null;
let ticking = 0;

export function wireCallBar() {
  bar = h('div', { class: 'call-bar', role: 'region', 'aria-label': 'Call in progress', hidden: true });
  document.body.append(bar);
  onCallChange(render);
  window.addEventListener('hashchange', render);
}

function render() {
  const call = calls.call;
  const onCallsView = location.hash.split('/')[1] === 'calls';
  bar.hidden = !call || onCallsView;
  clearInterval(ticking);
  if (bar.hidden) { bar.replaceChildren(); return; }
  const engine = calls.engine;
  const status = h('span', { class: 'call-bar-status', role: 'timer', 'aria-label': 'Call time' }, engine ? elapsed() : 'Ringing…');
  const mute = h('button', { class: 'ghost small', 'aria-pressed': String(Boolean(engine?.muted)), hidden: !engine }, engine?.muted ? 'Unmute' : 'Mute');
  const hang = h('button', { class: 'danger small' }, call.outgoing && !engine ? 'Cancel' : 'Hang up');
  mute.addEventListener('click', () => engine.setMuted(!engine.muted));
  hang.addEventListener('click', () => { hang.disabled = true; hangUp(engine ? 'hung up' : 'cancelled'); });
  fill(bar, avatar(call.peerName, call.peer),
    h('a', { href: '#/calls', class: 'call-bar-name', title: 'Back to the call' }, h('strong', null, call.peerName), h('small', null, call.video ? 'video call' : 'voice call')),
    status, mute, hang);
  if (engine) ticking = setInterval(() => { status.textContent = elapsed(); }, 1000);
}
