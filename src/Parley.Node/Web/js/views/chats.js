// Chats: the conversation list (with unread counts) beside one conversation, 1:1 or #room.
// Messages arrive live; history loads further back as you scroll up; files drop onto the pane.

import { api, seg } from '../api.js';
import { h, put, fill, icon, avatar, toast } from '../dom.js';
import { clock, ago, utf8Length, bytes } from '../format.js';
import { on } from '../events.js';
import { state, watch, nameOf, contactOf, refresh, load } from '../state.js';
import { presence, trustBadge, keyChangeWarning } from './common.js';
import { deliveryLine, waitingEl, unreadMarker, keepCounts, roomStatus } from './room-timeline.js';
import { topicLine, renderPanel } from './room-panel.js';
import { offerCard, transferCard } from './transfers.js';
import { filesFromDrop, filesFromInput, sendFiles } from '../upload.js';

/** Largest message the node takes: 64 KiB of UTF-8. */
const MAX_MESSAGE_BYTES = 65536;
const PAGE = 50;
/** How far along an outgoing message is; an update never moves it back. */
const RANK = { queued: 0, sent: 1, mailed: 2, delivered: 3, received: 0, notice: 0, waitingForKey: 0 };

export function mount(main, key) {
  main.classList.add('split');
  main.classList.toggle('has-open', Boolean(key));
  const list = h('ul', { class: 'conversations', 'aria-label': 'Conversations' });
  const pane = h('section', { class: 'conversation', 'aria-label': key ? `Conversation with ${nameOf(key)}` : 'No conversation open' });
  put(main, [h('aside', { class: 'conversation-list' }, h('header', { class: 'list-header' }, h('h1', null, 'Chats')), list), pane]);

  function renderList() {
    const byKey = new Map(state.conversations.map(c => [c.peer, c]));
    const keys = [...state.conversations.map(c => c.peer), ...state.peers.contacts.map(c => c.deviceId), ...state.rooms.joined];
    const unique = [...new Set(keys)];
    if (unique.length === 0) {
      fill(list, h('li', { class: 'empty' }, 'No conversations yet. ', h('a', { href: '#/home' }, 'Invite someone'), ' to start.'));
      return;
    }
    fill(list, unique.map(k => {
      const c = byKey.get(k);
      const contact = contactOf(k);
      return h('li', null, h('a', { href: `#/chats/${seg(k)}`, 'aria-current': k === key ? 'true' : null, class: 'conversation-item' },
        k.startsWith('#') ? h('span', { class: 'avatar room', 'aria-hidden': 'true' }, '#') : avatar(nameOf(k), k),
        h('span', { class: 'conversation-text' },
          h('span', { class: 'conversation-top' }, h('strong', null, nameOf(k)), c ? h('small', null, ago(c.lastAt)) : null),
          h('small', { class: 'preview' }, c ? `${c.lastOutgoing ? 'You: ' : ''}${c.lastText}` : contact?.online ? 'online' : 'no messages yet')),
        c?.unread ? h('span', { class: 'badge', 'aria-label': `${c.unread} unread` }, String(c.unread)) : null,
        contact?.online ? h('span', { class: 'dot online', 'aria-hidden': 'true' }) : null));
    }));
  }

  renderList();
  const stops = [watch(['conversations', 'peers', 'rooms'], renderList)];
  if (key) stops.push(openConversation(pane, key));
  else fill(pane, h('div', { class: 'placeholder' }, h('p', null, 'Choose a conversation, or drop files on one to send them.')));
  return () => stops.forEach(stop => stop());
}

function openConversation(pane, key) {
  const room = key.startsWith('#');
  const messages = h('ol', { class: 'messages', 'aria-live': 'polite', 'aria-label': 'Messages' });
  const scroller = h('div', { class: 'scroller' }, messages);
  const strip = h('div', { class: 'file-strip' });
  const status = h('span', { class: 'header-status' });
  const members = h('ul', { class: 'members', 'aria-label': 'Members' });
  const tools = h('div', { class: 'room-tools', hidden: true });
  const panel = h('div', { class: 'room-panel', hidden: true }, tools, members);
  const topic = h('div', { class: 'topic-box' });
  const error = h('p', { class: 'composer-error', role: 'alert', hidden: true });
  const progress = h('p', { class: 'composer-progress', hidden: true });
  const text = h('textarea', { rows: 1, placeholder: room ? `Message ${key}` : `Message ${nameOf(key)}`, 'aria-label': 'Message', enterkeyhint: 'send' });
  const filePicker = h('input', { type: 'file', multiple: true, hidden: true });
  const folderPicker = h('input', { type: 'file', webkitdirectory: true, hidden: true });
  const seen = new Map();
  const bySeq = new Map(); // a room message that opens later comes back with a new ID at the same place (seq)
  let roomInfo = null;
  let oldest = null;
  let exhausted = false;
  let loading = false;

  function tick(m) {
    const marks = { queued: ['🕓', 'waiting to send'], sent: ['✓', 'sent'], delivered: ['✓✓', 'delivered'], mailed: ['✉', 'left at the hub for them'] };
    const [glyph, label] = marks[m.state] ?? ['', ''];
    return glyph ? h('span', { class: `tick ${m.state}`, title: label, 'aria-label': label }, glyph) : null;
  }

  function messageEl(m) {
    if (m.state === 'notice') return h('li', { class: 'notice', dataset: { id: m.id } }, m.text);
    const sender = room && !m.outgoing ? h('span', { class: 'sender' }, m.peerName) : null;
    if (m.state === 'waitingForKey') return waitingEl(m, sender);
    const delivery = room ? deliveryLine(m) : null;
    return h('li', { class: `msg ${m.outgoing ? 'out' : 'in'}`, dataset: { id: m.id, state: m.state } },
      sender,
      h('div', { class: 'bubble' }, h('p', { class: 'text' }, m.text),
        h('span', { class: 'meta' }, clock(m.sentAt), m.outgoing && !delivery ? tick(m) : null)),
      delivery,
      m.warning ? h('small', { class: 'warning' }, m.warning) : null);
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
      const el = messageEl(m);
      known.el.replaceWith(el);
      seen.set(m.id, { m, el });
      bySeq.set(m.seq, m.id);
      return;
    }
    const el = messageEl(m);
    seen.set(m.id, { m, el });
    bySeq.set(m.seq, m.id);
    if (atTop) messages.prepend(el); else messages.append(el);
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

  /** After a catch-up, "new messages" goes before the first message that came while we were away (once, while it is unread). */
  function markUnread(info, unread) {
    const first = info?.firstUnread && seen.get(info.firstUnread);
    if (!first || unread === 0) return false;
    first.el.before(unreadMarker());
    first.el.scrollIntoView({ block: 'center' });
    return true;
  }

  const nearBottom = () => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
  const toBottom = () => { scroller.scrollTop = scroller.scrollHeight; };

  async function loadOlder() {
    if (loading || exhausted) return;
    loading = true;
    try {
      const before = oldest != null ? `&before=${oldest}` : '';
      const page = await api.get(`/api/chat/${seg(key)}?limit=${PAGE}${before}`);
      if (page.length < PAGE) exhausted = true;
      if (page.length > 0) oldest = page[0].seq;
      const height = scroller.scrollHeight;
      for (const m of [...page].reverse()) add(m, true);
      scroller.scrollTop += scroller.scrollHeight - height;
    } catch (e) {
      toast(e.message, 'error');
    } finally {
      loading = false;
    }
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
    text.placeholder = `Message ${nameOf(key)}`;
  }


  function renderStrip() {
    if (room) {
      strip.hidden = true;
      return;
    }
    const offers = state.offers.filter(o => o.transfer.peer === key).map(offerCard);
    const moving = state.transfers.filter(t => t.peer === key && ['offered', 'active', 'paused'].includes(t.state)).map(transferCard);
    const recent = state.transfers.filter(t => t.peer === key && ['completed', 'failed', 'cancelled', 'rejected'].includes(t.state)).slice(0, 2).map(transferCard);
    fill(strip, offers, moving, recent);
    strip.hidden = offers.length + moving.length + recent.length === 0;
  }

  // The box empties the moment a message is sent, not when the node answers (50–130 ms later), so
  // an answer never erases what was typed meanwhile; sends go one after another, in typed order.
  let sending = Promise.resolve();
  function send() {
    const body = text.value;
    if (body.trim() === '') return;
    const size = utf8Length(body);
    if (size > MAX_MESSAGE_BYTES) {
      showError(`This message is ${bytes(size)}; the limit is 64 KiB. Shorten it or send it as a file.`);
      return;
    }
    text.value = '';
    grow();
    sending = sending.then(() => post(body));
  }

  async function post(body) {
    try {
      const m = await api.post(`/api/chat/${seg(key)}`, { text: body });
      showError('');
      add(m);
      toBottom();
    } catch (e) {
      // Not sent: the text comes back, ahead of anything typed since, so nothing is lost.
      text.value = text.value ? `${body}\n${text.value}` : body;
      grow();
      showError(e.message);
    }
  }

  function showError(message) {
    error.textContent = message;
    error.hidden = !message;
  }

  function grow() {
    text.style.height = 'auto';
    text.style.height = `${Math.min(text.scrollHeight, 160)}px`;
  }

  async function sendPicked(files) {
    if (room) {
      toast('Files go to one person at a time: open a 1:1 conversation to send them.', 'error');
      return;
    }
    try {
      await sendFiles(key, files, progress);
    } catch (e) {
      toast(e.message, 'error');
    }
  }

  text.addEventListener('keydown', e => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send();
    }
  });
  text.addEventListener('input', () => {
    grow();
    if (!error.hidden && utf8Length(text.value) <= MAX_MESSAGE_BYTES) showError('');
  });
  scroller.addEventListener('scroll', () => { if (scroller.scrollTop < 60) loadOlder(); });
  filePicker.addEventListener('change', () => { sendPicked(filesFromInput(filePicker)); filePicker.value = ''; });
  folderPicker.addEventListener('change', () => { sendPicked(filesFromInput(folderPicker)); folderPicker.value = ''; });
  pane.addEventListener('dragover', e => { e.preventDefault(); pane.classList.add('dropping'); });
  pane.addEventListener('dragleave', e => { if (!pane.contains(e.relatedTarget)) pane.classList.remove('dropping'); });
  pane.addEventListener('drop', async e => {
    e.preventDefault();
    pane.classList.remove('dropping');
    sendPicked(await filesFromDrop(e.dataTransfer));
  });

  const header = h('header', { class: 'conversation-header' },
    h('a', { href: '#/chats', class: 'button ghost back', 'aria-label': 'Back to conversations' }, icon('back')),
    room ? h('span', { class: 'avatar room', 'aria-hidden': 'true' }, '#') : avatar(nameOf(key), key),
    h('div', { class: 'header-text' }, h('h2', null, nameOf(key)), room ? topic : [trustBadge(contactOf(key)), keyChangeWarning(contactOf(key))], status),
    room ? h('button', {
      class: 'ghost', 'aria-expanded': 'false',
      onclick: e => { panel.hidden = !panel.hidden; e.currentTarget.setAttribute('aria-expanded', String(!panel.hidden)); loadRoomInfo(); },
    }, 'Members') : null);

  const composer = room && !state.rooms.joined.includes(key)
    ? h('div', { class: 'composer' }, h('p', { class: 'muted' }, 'Join this room (Rooms) to read and write here.'))
    : h('form', { class: 'composer', onsubmit: e => { e.preventDefault(); send(); } },
      room ? null : h('button', { type: 'button', class: 'ghost icon-button', 'aria-label': 'Send files', title: 'Send files', onclick: () => filePicker.click() }, icon('attach')),
      room ? null : h('button', { type: 'button', class: 'ghost icon-button', 'aria-label': 'Send a folder', title: 'Send a folder', onclick: () => folderPicker.click() }, icon('folder')),
      text,
      h('button', { class: 'primary icon-button', 'aria-label': 'Send' }, icon('send')),
      filePicker, folderPicker);

  fill(pane, header, room ? panel : null, scroller, strip, progress, error, composer,
    h('div', { class: 'drop-hint', 'aria-hidden': 'true' }, `Drop files or folders to send them to ${nameOf(key)}`));

  renderHeader();
  renderStrip();
  const unreadAtOpen = api.get('/api/conversations').then(list => list.find(c => c.peer === key)?.unread ?? 0, () => 0);
  Promise.all([loadOlder(), loadRoomInfo(), unreadAtOpen]).then(([, info, unread]) => {
    if (!markUnread(info, unread)) toBottom();
    markRead();
  });
  text.focus();

  const stops = [
    on('message', m => {
      if (m.peer !== key) return;
      const stick = nearBottom() || m.outgoing;
      const opened = room && m.state !== 'waitingForKey' && seen.get(bySeq.get(m.seq))?.m.state === 'waitingForKey';
      add(m);
      if (opened || m.state === 'waitingForKey') loadRoomInfo();
      if (stick) toBottom();
      if (!m.outgoing) markRead();
    }),
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
    watch(['offers', 'transfers'], renderStrip),
  ];
  const onVisible = () => { if (!document.hidden) markRead(); };
  document.addEventListener('visibilitychange', onVisible);
  return () => { stops.forEach(stop => stop()); document.removeEventListener('visibilitychange', onVisible); };
}
