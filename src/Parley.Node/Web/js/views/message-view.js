// One message of a conversation: its bubble (a reply's quote, the text with links, "edited",
// or "message deleted" in its place), its reactions, and the actions shown on hover or focus.

import { h } from '../dom.js';
import { clock } from '../format.js';
import { linkify } from '../linkify.js';
import { deliveryLine, waitingEl } from './room-timeline.js';
import { isTransferEntry, transferEntry } from './timeline-transfers.js';
import { isCallEntry, callEntry } from './timeline-calls.js';
import { attachmentEl } from './attachment-view.js';

/** The reactions on offer (the node refuses others). */
export const REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🎉'];
/** How long after sending the node lets its sender edit, and delete for everyone (ChatRules). */
const EDIT_MS = 15 * 60 * 1000;
const DELETE_MS = 24 * 60 * 60 * 1000;

function tick(m) {
  const marks = { queued: ['🕓', 'waiting to send'], sent: ['✓', 'sent'], delivered: ['✓✓', 'delivered'], mailed: ['✉', 'left at the hub for them'] };
  const [glyph, label] = marks[m.state] ?? ['', ''];
  return glyph ? h('span', { class: `tick ${m.state}`, title: label, 'aria-label': label }, glyph) : null;
}

/** The quoted message above a reply; a click goes to it. */
function quoteEl(m, ctx) {
  if (!m.replyTo) return null;
  const q = m.quote;
  const who = q ? (q.outgoing ? 'You' : ctx.name) : '';
  const text = !q ? 'original message not available' : q.deleted ? 'message deleted' : q.text;
  return h('button', { type: 'button', class: 'quote', 'aria-label': `Reply to: ${text}`, onclick: () => ctx.jump(m.replyTo) },
    who ? h('strong', null, who) : null, h('span', null, text));
}

function reactionsEl(m, ctx) {
  if (!m.reactions?.length || m.deleted) return null;
  return h('div', { class: 'reactions' }, m.reactions.map(r => h('button', {
    type: 'button', class: `reaction${r.mine ? ' mine' : ''}`, 'aria-pressed': String(r.mine),
    'aria-label': `${r.emoji} ${r.count}${r.mine ? ', yours' : ''}`, onclick: () => ctx.react(m, r.emoji),
  }, `${r.emoji} ${r.count}`)));
}

function actionsEl(m, ctx) {
  const age = Date.now() - new Date(m.sentAt).getTime();
  const button = (label, text, onclick) => h('button', { type: 'button', class: 'ghost', 'aria-label': label, title: label, onclick }, text);
  return h('div', { class: 'msg-actions', role: 'toolbar', 'aria-label': 'Message actions' },
    REACTIONS.map(e => button(`React ${e}`, e, () => ctx.react(m, e))),
    button('Reply', '↩', () => ctx.reply(m)),
    m.outgoing && age < EDIT_MS ? button('Edit', '✎', () => ctx.edit(m)) : null,
    m.outgoing && age < DELETE_MS ? button('Delete for everyone', '🗑', () => ctx.remove(m)) : null);
}

/**
 * A message as a list item. ctx: { room, name (the peer's), jump(id), react(m, emoji), reply(m), edit(m), remove(m) }.
 * Rooms get no actions (their messages do not carry them yet).
 */
export function messageEl(m, ctx) {
  if (m.state === 'notice') return h('li', { class: 'notice', dataset: { id: m.id, sentAt: m.sentAt } }, m.text);
  if (isTransferEntry(m)) return transferEntry(m);
  if (isCallEntry(m)) return callEntry(m);
  const sender = ctx.room && !m.outgoing ? h('span', { class: 'sender' }, m.peerName) : null;
  if (m.state === 'waitingForKey') return waitingEl(m, sender);
  const delivery = ctx.room ? deliveryLine(m) : null;
  const attachment = m.attachment && !m.deleted ? attachmentEl(m) : null;
  const text = m.deleted ? h('p', { class: 'text deleted' }, 'message deleted')
    : attachment && !m.text ? null : h('p', { class: 'text' }, linkify(m.text));
  return h('li', { class: `msg ${m.outgoing ? 'out' : 'in'}${m.deleted ? ' deleted' : ''}`, dataset: { id: m.id, state: m.state, sentAt: m.sentAt } },
    sender,
    h('div', { class: 'bubble' }, quoteEl(m, ctx), attachment, text,
      h('span', { class: 'meta' }, m.editedAt && !m.deleted ? h('span', { class: 'edited' }, 'edited') : null,
        clock(m.sentAt), m.outgoing && !delivery ? tick(m) : null)),
    reactionsEl(m, ctx),
    ctx.room || m.deleted ? null : actionsEl(m, ctx),
    delivery,
    m.warning ? h('small', { class: 'warning' }, m.warning) : null);
}
