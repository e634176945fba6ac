// The parts of a conversation only rooms have: how many members have each of our messages,
// messages still waiting for their sender's key, the "new messages" marker after a catch-up,
// and the room's own line in the header (waiting and dropped counts).

import { h } from '../dom.js';
import { clock } from '../format.js';

/**
 * Under one of our room messages: "delivered to 1 of 2" while some members lack it, "✓✓ all" once
 * every member who was in the room when it was sent has stored it. Nothing when no one else was there.
 */
export function deliveryLine(m) {
  if (!m.outgoing || m.recipients == null || m.recipients === 0) return null;
  const all = m.delivered >= m.recipients;
  const label = `delivered to ${m.delivered} of ${m.recipients}`;
  return h('small', {
    class: `delivery${all ? ' all' : ''}`, title: label, 'aria-label': label,
    dataset: { delivered: String(m.delivered), recipients: String(m.recipients) },
  }, all ? '✓✓ all' : label);
}

/** A message we cannot open yet: shown greyed, in its place, never hidden; it opens in place when the key comes. */
export function waitingEl(m, sender) {
  const who = m.waitingFor ?? m.peerName;
  return h('li', { class: 'msg in waiting', dataset: { id: m.id, state: m.state, sentAt: m.sentAt } },
    sender,
    h('div', { class: 'bubble' }, h('p', { class: 'text' }, `waiting for key from ${who}`), h('span', { class: 'meta' }, clock(m.sentAt))),
    h('small', { class: 'muted' }, 'Parley has asked for it; the message opens here when it comes.'));
}

/** Where the messages caught up after being away begin. */
export function unreadMarker() {
  return h('li', { class: 'unread-marker', role: 'separator', 'aria-label': 'new messages' }, h('span', null, 'new messages'));
}

/** Counts are never taken back by an older copy of the same message (a POST reply can come after a receipt). */
export function keepCounts(update, known) {
  if (known.delivered != null && update.recipients === known.recipients && (update.delivered ?? -1) < known.delivered) {
    return { ...update, delivered: known.delivered };
  }
  return update;
}

/** The room's line in the header: encrypted, and what is not readable yet or was refused. */
export function roomStatus(joined, info) {
  if (!joined) return 'you are not in this room';
  const parts = ['room · end-to-end encrypted'];
  if (info?.waiting) parts.push(`${info.waiting} waiting for keys`);
  if (info?.dropped) parts.push(`${info.dropped} forged or replayed dropped`);
  return parts.join(' · ');
}
