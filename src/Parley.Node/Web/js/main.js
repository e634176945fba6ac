// Start-up and navigation: sign in with the session cookie, open the event stream, then show the
// view the address names (#/chats/…, #/peers, #/calls, #/videos/…). A ringing call shows over any view.

import { startSession, onSignedOut, loginCommand } from './api.js';
import { connect, on, onConnected, onDisconnected } from './events.js';
import { state, watch, wireEvents, loadAll } from './state.js';
import { h, fill, icon, avatar, toast, clearErrorToasts } from './dom.js';
import * as home from './views/home.js';
import * as chats from './views/chats.js';
import * as peers from './views/peers.js';
import * as rooms from './views/rooms.js';
import * as files from './views/files.js';
import * as videos from './views/videos.js';
import * as callsView from './views/calls.js';
import * as roomcall from './views/room-call.js';
import { onCallChange, onCallEvent, acceptCall, declineCall, clearEnded } from './calls/session.js';
import { wireCallBar } from './calls/call-bar.js';
import { wireRoomCallBar } from './rooms-call/room-call-bar.js';
import * as settings from './views/settings.js';
import { wireNotifications } from './notify.js';
import { ringtone } from './sounds.js';

const views = { home, chats, peers, rooms, files, calls: callsView, roomcall, videos, settings };
const ringing = new Map(); // incoming calls waiting for an answer, by ID
const navItems = [
  { view: 'chats', label: 'Chats', icon: 'chats', badge: () => state.conversations.reduce((n, c) => n + c.unread, 0) },
  { view: 'peers', label: 'Peers', icon: 'peers', badge: () => state.peers.requests.length },
  { view: 'rooms', label: 'Rooms', icon: 'rooms' },
  { view: 'files', label: 'Files', icon: 'files', badge: () => state.offers.length },
  { view: 'calls', label: 'Calls', icon: 'calls', badge: () => ringing.size },
  { view: 'videos', label: 'Videos', icon: 'videos' },
  { view: 'home', label: 'Invite', icon: 'invite' },
  { view: 'settings', label: 'Settings', icon: 'settings' },
];

let unmount = null;

function route() {
  const [, name, ...rest] = location.hash.split('/');
  const view = views[name];
  if (!view) {
    location.replace(state.peers.contacts.length === 0 && state.peers.requests.length === 0 ? '#/home' : '#/chats');
    return;
  }
  unmount?.();
  clearErrorToasts();
  const main = document.getElementById('main');
  main.replaceChildren();
  main.className = '';
  main.dataset.view = name;
  unmount = view.mount(main, rest.length ? decodeURIComponent(rest.join('/')) : null) ?? null;
  renderNav();
}

let navShown = '';

/** The navigation and who you are; rebuilt only when something it shows changed (it is asked on every event, and a rebuilt nav costs a layout). */
function renderNav() {
  const current = location.hash.split('/')[1];
  const counts = navItems.map(item => item.badge?.() ?? 0);
  const me = state.status;
  const shown = JSON.stringify([current, counts, me?.name, me?.deviceId, state.hub?.connected]);
  if (shown === navShown) return;
  navShown = shown;
  fill(document.getElementById('nav'), navItems.map((item, i) => {
    const count = counts[i];
    return h('li', null, h('a', {
      href: `#/${item.view}`,
      'aria-current': current === item.view ? 'page' : null,
      'aria-label': count ? `${item.label}, ${count} new` : item.label,
    }, icon(item.icon), h('span', { class: 'nav-label' }, item.label), count ? h('span', { class: 'badge' }, String(count)) : null));
  }));
  if (me) {
    fill(document.getElementById('me'), avatar(me.name, me.deviceId),
      h('div', { class: 'me-text' }, h('strong', null, me.name), h('small', null, state.hub?.connected ? 'on the hub' : 'local network')));
  }
}

/** The ring: who calls and how, Accept or Decline; nothing is captured before Accept. */
function renderRing() {
  const box = document.getElementById('ring');
  const call = [...ringing.values()][0];
  box.hidden = !call;
  ringtone(Boolean(call));
  if (!call) { box.replaceChildren(); return; }
  const accept = h('button', { class: 'primary' }, call.video ? 'Accept video' : 'Accept');
  const decline = h('button', { class: 'danger' }, 'Decline');
  accept.addEventListener('click', async () => {
    ringing.delete(call.id);
    renderRing();
    location.hash = '#/calls';
    await acceptCall(call).catch(e => toast(e.message, 'error'));
  });
  decline.addEventListener('click', async () => { ringing.delete(call.id); renderRing(); await declineCall(call).catch(() => {}); });
  fill(box, h('div', { class: 'ring-card', role: 'alertdialog', 'aria-label': `${call.peerName} is calling` },
    avatar(call.peerName, call.peer), h('div', null, h('strong', null, call.peerName), h('small', null, call.video ? ' is video calling you' : ' is calling you')),
    h('div', { class: 'row-actions' }, decline, accept)));
  renderNav();
}

function wireCalls() {
  on('call.incoming', call => { ringing.set(call.id, call); clearEnded(); renderRing(); });
  on('call.ended', call => { ringing.delete(call.id); renderRing(); onCallEvent('call.ended', call); });
  on('call.answered', call => onCallEvent('call.answered', call));
  onCallChange(renderNav);
  wireCallBar();
  wireRoomCallBar();
}

/** An owner invited us to a room: say so wherever we are (the room's Join button in Rooms then works). */
function wireRooms() {
  on('room.notice', n => { if (n.kind === 'invited') toast(`${n.name} invited you to ${n.room}: join it in Rooms.`); });
}

/** While the event stream is down the node is (most likely) not running: a banner says so, and goes when it is back. */
function wireNodeDown() {
  const banner = h('div', { id: 'node-down', class: 'node-down', role: 'alert', hidden: true },
    h('strong', null, 'The Parley node is not running.'),
    h('span', null, ' Contacts are not shown online until it is back; start it again and this page reconnects by itself.'));
  document.body.prepend(banner);
  onDisconnected(() => { banner.hidden = false; });
  onConnected(() => { banner.hidden = true; clearErrorToasts(); });
}

function signedOut() {
  document.body.replaceChildren(h('main', { class: 'signed-out' },
    h('h1', null, 'Signed out'),
    h('p', null, 'This browser session has ended (the node stopped, or you signed out).'),
    h('p', null, 'Run ', h('code', null, loginCommand()), ' in a terminal on this computer for a new login link.')));
}

async function start() {
  onSignedOut(signedOut);
  const theme = localStorage.getItem('parley-theme');
  if (theme) document.documentElement.dataset.theme = theme;
  try {
    await startSession();
  } catch {
    signedOut();
    return;
  }
  wireEvents();
  wireCalls();
  wireRooms();
  wireNotifications();
  wireNodeDown();
  await loadAll();
  watch(['conversations', 'peers', 'offers', 'status', 'hub'], renderNav);
  window.addEventListener('hashchange', route);
  route();
  connect();
}

start();
