// Rooms: group chats through the hub, end-to-end encrypted. List (topic, public or invite-only),
// create, join (by invite or by a join link) and leave, members.

import { api, seg } from '../api.js';
import { h, put, fill } from '../dom.js';
import { state, watch, load } from '../state.js';
import { on } from '../events.js';
import { pageHeader, section, act } from './common.js';

export function mount(main) {
  const list = h('ul', { class: 'room-list' });
  const notice = h('p', { class: 'notice-box', hidden: true });
  const name = h('input', { name: 'room', placeholder: 'room name, e.g. family', 'aria-label': 'New room name', autocomplete: 'off' });
  const create = h('button', { class: 'primary' }, 'Create');
  const link = h('input', { name: 'link', placeholder: 'parley-room:…', 'aria-label': 'Join link', autocomplete: 'off', spellcheck: 'false' });
  const joinLink = h('button', { class: 'primary' }, 'Join');
  const membersOf = new Map();

  async function members(room, box) {
    try {
      const found = await api.get(`/api/rooms/${seg(room)}/members`);
      fill(box, found.map(m => h('li', null, h('span', { class: `dot ${m.online ? 'online' : ''}`, 'aria-hidden': 'true' }),
        h('span', null, m.name), h('small', { class: 'muted' }, m.online ? 'online' : 'offline'))));
    } catch (e) {
      fill(box, h('li', { class: 'empty' }, e.message));
    }
  }

  function render() {
    const hubless = !state.hub?.hub;
    notice.hidden = !hubless && !state.rooms.error;
    fill(notice, hubless ? ['Rooms live on a hub. ', h('a', { href: '#/settings' }, 'Join a hub in Settings'), ' first.']
      : state.rooms.error ?? '');
    const all = [...new Set([...state.rooms.joined, ...state.rooms.rooms])].sort();
    if (all.length === 0) {
      fill(list, h('li', { class: 'empty' }, hubless ? 'No hub yet.' : 'No rooms on this hub yet. Create the first.'));
      return;
    }
    const details = new Map((state.rooms.details ?? []).map(d => [d.name, d]));
    fill(list, all.map(room => {
      const joined = state.rooms.joined.includes(room);
      const about = details.get(room);
      const box = h('ul', { class: 'members' });
      membersOf.set(room, box);
      const join = h('button', { class: joined ? 'ghost' : 'primary' }, joined ? 'Leave' : 'Join');
      join.addEventListener('click', () => act(join, () => api.post(`/api/rooms/${seg(room)}/${joined ? 'leave' : 'join'}`), ['rooms']));
      box.hidden = !joined;
      if (joined) members(room, box);
      // Before joining: who is in it, on request (the hub shows a public room's members to anyone, an invite-only one's to those invited).
      const peek = joined ? null : h('button', { class: 'ghost', 'aria-expanded': 'false' }, 'Members');
      peek?.addEventListener('click', () => {
        const open = peek.getAttribute('aria-expanded') !== 'true';
        peek.setAttribute('aria-expanded', String(open));
        box.hidden = !open;
        if (open) members(room, box);
      });
      return h('li', { class: 'room-row' },
        h('div', { class: 'room-head' },
          h('span', { class: 'avatar room', 'aria-hidden': 'true' }, '#'),
          h('strong', null, room),
          about ? h('span', { class: `access ${about.public ? 'public' : ''}` }, about.public ? 'public' : 'invite-only') : null,
          h('small', { class: 'muted' }, [joined ? 'joined' : '', about?.members ? `${about.members} member${about.members === 1 ? '' : 's'}` : ''].filter(Boolean).join(' · ')),
          h('div', { class: 'row-actions' }, joined ? h('a', { class: 'button primary', href: `#/chats/${seg(room)}` }, 'Open') : peek, join)),
        about?.topic ? h('p', { class: 'room-topic topic-text muted' }, about.topic) : null,
        box);
    }));
  }

  put(main, [
    pageHeader('Rooms', 'Group conversations. Messages are encrypted on your device for each member; the hub only passes them on.'),
    notice,
    section('Create a room',
      h('form', {
        class: 'inline-form',
        onsubmit: async e => {
          e.preventDefault();
          if (!name.value.trim()) return;
          if (await act(create, () => api.post('/api/rooms', { name: name.value.trim() }), ['rooms'])) name.value = '';
        },
      }, name, create)),
    section('Join with a link',
      h('p', { class: 'muted' }, 'A room\'s owner can give you a join link for an invite-only room.'),
      h('form', {
        class: 'inline-form join-link-form',
        onsubmit: async e => {
          e.preventDefault();
          if (!link.value.trim()) return;
          const joined = await act(joinLink, () => api.post('/api/rooms/join-link', { link: link.value.trim() }), ['rooms']);
          if (joined) location.hash = `#/chats/${seg(joined.room)}`;
        },
      }, link, joinLink)),
    section('Rooms on your hub', list),
  ]);
  render();
  const refreshMembers = () => { for (const room of state.rooms.joined) { const box = membersOf.get(room); if (box) members(room, box); } };
  const stops = [watch(['rooms', 'hub'], render), on('room.notice', refreshMembers), on('hub.presence', refreshMembers)];
  load('rooms');
  return () => stops.forEach(s => s());
}

