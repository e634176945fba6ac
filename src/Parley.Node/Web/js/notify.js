// Telling the person what happened while they look elsewhere: desktop notifications (asked for
// only from a click, as browsers require) for messages, contact requests, file offers and calls
// while this tab is hidden; the message chime when the conversation is not the one on screen; the
// unread count in the tab's title.

import { on } from './events.js';
import { state, watch } from './state.js';
import { chime } from './sounds.js';

const TITLE = 'Parley';

/** 'granted', 'denied', 'default' (not asked yet) or 'unsupported'. */
export function notificationPermission() {
  return 'Notification' in window ? Notification.permission : 'unsupported';
}

/** Asks the browser to allow notifications; call it from a click. Resolves with the new permission. */
export async function askForNotifications() {
  if (!('Notification' in window)) return 'unsupported';
  return Notification.requestPermission();
}

/** A notification, only while the tab is hidden (on screen, the page itself shows it); a click brings the tab to `hash`. */
function notify(title, body, tag, hash) {
  if (!document.hidden || notificationPermission() !== 'granted') return;
  const note = new Notification(title, { body, tag, icon: '/icon.svg' });
  note.addEventListener('click', () => { window.focus(); location.hash = hash; note.close(); });
}

function chatHash(key) { return `#/chats/${encodeURIComponent(key)}`; }

function onScreen(hash) { return !document.hidden && location.hash === hash; }

function showUnread() {
  const unread = state.conversations.reduce((n, c) => n + c.unread, 0);
  document.title = unread ? `(${unread}) ${TITLE}` : TITLE;
}

export function wireNotifications() {
  on('message', m => {
    // Calls and files in a conversation have their own notifications (the ring, the offer).
    if (m.outgoing || ['call', 'missedCall', 'file'].includes(m.state)) return;
    const key = m.room ?? m.peer;
    if (!onScreen(chatHash(key))) chime();
    notify(m.room ? `${m.peerName} in ${m.room}` : m.peerName, m.text, `message ${key}`, chatHash(key));
  });
  on('request', r => notify(`${r.name} wants to connect`, 'Accept or ignore the request in Peers.', `request ${r.deviceId}`, '#/peers'));
  on('offer', t => notify(`${t.peerName} offers ${t.fileCount === 1 ? 'a file' : `${t.fileCount} files`}`, t.title ?? '', `offer ${t.id}`, '#/files'));
  on('call.incoming', c => notify(`${c.peerName} is calling`, c.video ? 'Video call' : 'Voice call', `call ${c.id}`, '#/calls'));
  watch(['conversations'], showUnread);
  showUnread();
}
