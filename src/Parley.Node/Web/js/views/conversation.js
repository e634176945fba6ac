// One conversation, 1:1 or #room: messages arrive live, history loads further back as you scroll up,
// files drop onto the pane, and a message found by search is scrolled to (loading back to it).

import { api, seg } from '../api.js';
import { h, fill, icon, avatar, toast, ask } from '../dom.js';
import { on, onConnected } from '../events.js';
import { state, watch, nameOf, contactOf, refresh, load } from '../state.js';
import { presence, trustBadge, keyChangeWarning } from './common.js';
import { unreadMarker, keepCounts, roomStatus } from './room-timeline.js';
import { topicLine, renderPanel } from './room-panel.js';
import { conversationFiles } from './conversation-files.js';
import { callButtons } from '../calls/call-buttons.js';
import { messageEl } from './message-view.js';
import { composer } from './composer.js';
import { voiceRecorder } from '../voice/voice-recorder.js';
import { renderMarks, markFirstUnread, keepPlace } from './timeline-marks.js';

const PAGE = 50;
/** How far back a jump to a found message may load: 200 pages. */
const JUMP_PAGES = 200;
/** How far along an outgoing message is; an update never moves it back. */
const RANK = { queued: 0, sent: 1, mailed: 2, delivered: 3, received: 0, notice: 0, waitingForKey: 0 };

/** The open conversation (its key and how to jump in it), so search can go to a message in it. */
let open = null;
let pendingJump = null;

/** Shows the message <id> of conversation <key>, opening it first if it is not the one open. */
export function showMessage(key, id) {
  if (open?.key === key) {
    open.jump(id);
    return;
  }
  pendingJump = { key, id };
  location.hash = `#/chats/${seg(key)}`;
}

export function openConversation(pane, key) {
  const room = key.startsWith('#');
  const messages = h('ol', { class: 'messages', 'aria-live': 'polite', 'aria-label': 'Messages' });
  const scroller = h('div', { class: 'scroller' }, messages);
  const sent = m => { add(m); toBottom(); };
  const files = conversationFiles(key, room, sent);
  const voice = voiceRecorder({ key, onSent: sent, onError: message => toast(message, 'error') });
  const status = h('span', { class: 'header-status' });
  const members = h('ul', { class: 'members', 'aria-label': 'Members' });
  const tools = h('div', { class: 'room-tools', hidden: true });
  const panel = h('div', { class: 'room-panel', hidden: true }, tools, members);
  const topic = h('div', { class: 'topic-box' });
  const seen = new Map();
  const bySeq = new Map(); // a room message that opens later comes back with a new ID at the same place (seq)
  const emptyText = room ? null : `No messages with ${nameOf(key)} yet. Say hello, or drop a file here.`;
  let roomInfo = null;
  let oldest = null;
  let exhausted = false;
  let loading = null;

  const ctx = {
    room, name: nameOf(key),
    jump: id => jump(id),
    reply: m => box.reply(m),
    edit: m => box.edit(m),
    react: (m, emoji) => act(m, 'react', { emoji }),
    remove: async m => {
      const ok = await ask({ title: 'Delete for everyone?', body: 'The message is removed here and on their side.', confirm: 'Delete', danger: true });
      if (ok) act(m, 'delete');
    },
  };

  async function act(m, action, body) {
    try {
      add(await api.post(`/api/chat/${seg(key)}/${m.id}/${action}`, body));
    } catch (e) {
      toast(e.message, 'error');
    }
  }

  /**
   * Adds or updates a message. A reply to our POST can arrive after its "delivered" event: states never
   * go back. A room message that was waiting for its key comes back opened, with its real ID, at the
   * same seq: it takes the waiting one's place.
   */
  function add(m, atTop = false) {
    const placeholder = room ? seen.get(bySeq.get(m.seq)) : undefined;
    const known = seen.get(m.id) ?? (placeholder?.m.state === 'waitingForKey' ? placeholder : undefined);
    if (known) {
      if (RANK[m.state] < RANK[known.m.state]) m = { ...m, state: known.m.state };
      if (known.m.id === m.id) m = keepCounts(m, known.m);
      else seen.delete(known.m.id);
      const el = messageEl(m, ctx);
      known.el.replaceWith(el);
      seen.set(m.id, { m, el });
      bySeq.set(m.seq, m.id);
      return;
    }
    const el = messageEl(m, ctx);
    seen.set(m.id, { m, el });
    bySeq.set(m.seq, m.id);
    if (atTop) messages.prepend(el); else messages.append(el);
    renderMarks(messages, emptyText);
  }

  /** A room's waiting and dropped counts, and where its unread messages start. */
  async function loadRoomInfo() {
    if (!room || !state.rooms.joined.includes(key)) return null;
    try {
      roomInfo = await api.get(`/api/rooms/${seg(key)}`);
    } catch {
      roomInfo = null;
    }
    renderHeader();
    return roomInfo;
  }

  /** "new messages" before the first message that came while we were away (once, while it is unread). */
  function markUnread(info, unread) {
    if (!room) return markFirstUnread(messages, unread);
    const first = info?.firstUnread && seen.get(info.firstUnread);
    if (!first || unread === 0) return false;
    first.el.before(unreadMarker());
    first.el.scrollIntoView({ block: 'center' });
    return true;
  }

  const nearBottom = () => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
  const toBottom = () => { scroller.scrollTop = scroller.scrollHeight; };

  /** One page further back; concurrent callers share the page in flight. */
  function loadOlder() {
    if (exhausted) return Promise.resolve();
    loading ??= loadPage().finally(() => { loading = null; });
    return loading;
  }

  async function loadPage() {
    try {
      const before = oldest != null ? `&before=${oldest}` : '';
      const page = await api.get(`/api/chat/${seg(key)}?limit=${PAGE}${before}`);
      if (page.length < PAGE) exhausted = true;
      if (page.length > 0) oldest = page[0].seq;
      const height = scroller.scrollHeight;
      for (const m of [...page].reverse()) add(m, true);
      renderMarks(messages, emptyText);
      scroller.scrollTop += scroller.scrollHeight - height;
    } catch (e) {
      exhausted = true;
      toast(e.message, 'error');
    }
  }

  /**
   * The newest page again, after the event stream reconnected: a message that arrived while it was down
   * was published to no one, so it is fetched (what is already shown is only updated).
   */
  async function catchUp() {
    try {
      const stick = nearBottom();
      for (const m of await api.get(`/api/chat/${seg(key)}?limit=${PAGE}`)) add(m);
      if (stick) toBottom();
    } catch {
      // the node is not back yet: the next reconnection tries again
    }
  }

  /** Loads back until the message is here, then shows it in the middle, highlighted for a moment. */
  async function jump(id) {
    for (let pages = 0; !seen.has(id) && !exhausted && pages < JUMP_PAGES; pages++) await loadOlder();
    const found = seen.get(id);
    if (!found) {
      toast('That message is no longer in this conversation.', 'error');
      return;
    }
    found.el.scrollIntoView({ block: 'center' });
    found.el.classList.add('found');
    setTimeout(() => found.el.classList.remove('found'), 2500);
  }

  function markRead() {
    if (!document.hidden) api.post(`/api/conversations/${seg(key)}/read`).then(() => refresh('conversations', 0)).catch(() => {});
  }

  /** After an owner's action (or a notice): the room as it is now, and the rooms list. */
  function roomChanged() {
    loadRoomInfo();
    load('rooms');
  }

  function renderHeader() {
    if (room) {
      fill(status, roomStatus(state.rooms.joined.includes(key), roomInfo));
      fill(topic, topicLine(key, roomInfo, roomChanged));
      if (!panel.hidden) renderPanel(tools, members, key, roomInfo, roomChanged);
      return;
    }
    const c = contactOf(key);
    fill(status, c ? presence(c) : 'not a contact');
    box.setPlaceholder(`Message ${nameOf(key)}`);
  }

  scroller.addEventListener('scroll', () => { if (scroller.scrollTop < 60) loadOlder(); });
  files.attach(pane);

  const calling = room ? null : callButtons(key);
  const header = h('header', { class: 'conversation-header' },
    h('a', { href: '#/chats', class: 'button ghost back', 'aria-label': 'Back to conversations' }, icon('back')),
    room ? h('span', { class: 'avatar room', 'aria-hidden': 'true' }, '#') : avatar(nameOf(key), key),
    h('div', { class: 'header-text' }, h('h2', null, nameOf(key)), room ? topic : [trustBadge(contactOf(key)), keyChangeWarning(contactOf(key))], status),
    room ? h('div', { class: 'header-calls' },
      h('a', { class: 'button ghost', href: `#/roomcall/${encodeURIComponent(key)}`, hidden: !state.rooms.joined.includes(key) }, 'Call'),
      h('button', {
        class: 'ghost', 'aria-expanded': 'false',
        onclick: e => { panel.hidden = !panel.hidden; e.currentTarget.setAttribute('aria-expanded', String(!panel.hidden)); loadRoomInfo(); },
      }, 'Members')) : calling.element);

  const box = composer({
    key,
    placeholder: room ? `Message ${key}` : `Message ${nameOf(key)}`,
    tools: [files.tools, voice.button, voice.panel],
    onSent: sent,
  });
  const footer = room && !state.rooms.joined.includes(key)
    ? h('div', { class: 'composer' }, h('p', { class: 'muted' }, 'Join this room (Rooms) to read and write here.'))
    : box.form;

  fill(pane, header, room ? panel : null, scroller, files.progress, box.error, footer,
    h('div', { class: 'drop-hint', 'aria-hidden': 'true' }, `Drop files or folders to send them to ${nameOf(key)}`));

  renderHeader();
  const jumpAtOpen = pendingJump?.key === key ? pendingJump.id : null;
  pendingJump = null;
  const unreadAtOpen = api.get('/api/conversations').then(list => list.find(c => c.peer === key)?.unread ?? 0, () => 0);
  Promise.all([loadOlder(), loadRoomInfo(), unreadAtOpen]).then(([, info, unread]) => {
    if (jumpAtOpen) jump(jumpAtOpen);
    else if (!markUnread(info, unread)) toBottom();
    markRead();
  });
  box.focus();
  open = { key, jump };

  const stops = [
    keepPlace(scroller, messages),
    onConnected(catchUp),
    on('message', m => {
      if (m.peer !== key) return;
      const stick = nearBottom() || m.outgoing;
      const opened = room && m.state !== 'waitingForKey' && seen.get(bySeq.get(m.seq))?.m.state === 'waitingForKey';
      add(m);
      if (opened || m.state === 'waitingForKey') loadRoomInfo();
      if (stick) toBottom();
      if (!m.outgoing) markRead();
    }),
    on('message.changed', m => { if (m.peer === key) add(m); }),
    on('delivered', d => {
      const known = seen.get(d.id);
      if (known) add({ ...known.m, state: 'delivered' });
    }),
    on('room.delivery', d => {
      if (d.room !== key) return;
      for (const c of d.messages) {
        const known = seen.get(c.id);
        if (known) add({ ...known.m, delivered: c.delivered, recipients: c.recipients });
      }
    }),
    on('room.notice', n => { if (n.room === key) loadRoomInfo(); }),
    on('hub.presence', () => { if (!panel.hidden) loadRoomInfo(); }),
    watch(['peers', 'rooms'], renderHeader),
  ];
  if (calling) stops.push(calling.stop);
  stops.push(voice.stop);
  const onVisible = () => { if (!document.hidden) markRead(); };
  document.addEventListener('visibilitychange', onVisible);
  return () => {
    if (open?.key === key) open = null;
    stops.forEach(stop => stop());
    document.removeEventListener('visibilitychange', onVisible);
  };
}
