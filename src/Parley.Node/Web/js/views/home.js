// First run and "Invite": who you are, how others reach you, who is nearby.

import { api, seg } from '../api.js';
import { h, put, fill, icon, copy, avatar } from '../dom.js';
import { state, watch, load } from '../state.js';
import { pageHeader, section, peerRow, act, addPeer, addByInviteForm } from './common.js';

export function mount(main) {
  const first = state.peers.contacts.length === 0;
  const nameInput = h('input', { name: 'name', value: state.status?.name ?? '', 'aria-label': 'Your name', maxlength: 64, autocomplete: 'off' });
  const saveName = h('button', { class: 'primary' }, 'Save');
  const inviteInput = h('input', { readonly: true, 'aria-label': 'Your invite', class: 'mono', value: '' });
  const nearbyList = h('ul', { class: 'peer-list' });

  api.get('/api/invite').then(r => { inviteInput.value = r.invite; }).catch(() => {});

  function renderNearby() {
    const nearby = state.peers.nearby;
    if (nearby.length === 0) {
      fill(nearbyList, h('li', { class: 'empty' }, state.settings?.discovery === false
        ? 'LAN discovery is off (Settings).' : 'Looking for Parley on your network…'));
      return;
    }
    fill(nearbyList, nearby.map(n => {
      // A request is answered here too: Accept, not a greyed "request".
      const answer = n.state === 'request';
      const button = h('button', { class: n.state && !answer ? 'ghost' : 'primary' }, answer ? 'Accept' : n.state === 'contact' ? 'Contact' : n.state ?? 'Add');
      button.disabled = Boolean(n.state) && !answer;
      button.addEventListener('click', () => act(button, () => (answer ? api.post(`/api/peers/${seg(n.deviceId)}/accept`) : addPeer(n.deviceId)), ['peers']));
      return peerRow(n, n.address, button);
    }));
  }

  put(main, [
    pageHeader(first ? 'Welcome to Parley' : 'Invite someone',
      first ? 'Private chat, files and rooms straight between your devices. Share your invite, or add someone nearby.'
        : 'Share your invite line or QR code; a person who adds it asks to connect with you.'),
    h('div', { class: 'grid two' },
      section('You',
        h('div', { class: 'you' }, avatar(state.status?.name, state.status?.deviceId),
          h('form', {
            class: 'inline-form',
            onsubmit: async e => {
              e.preventDefault();
              await act(saveName, () => api.post('/api/name', { name: nameInput.value }), ['status']);
            },
          }, nameInput, saveName)),
        h('p', { class: 'label' }, 'Device ID'),
        h('p', { class: 'mono device-id' }, state.status?.deviceId ?? ''),
        h('p', { class: 'muted small' }, 'Your device ID is your identity: it is the fingerprint of a key that never leaves this computer.')),
      section('Your invite',
        h('div', { class: 'invite' },
          h('img', { src: '/api/invite/qr.svg', alt: 'QR code of your invite', width: 176, height: 176, class: 'qr' }),
          h('div', { class: 'invite-text' },
            h('div', { class: 'inline-form' }, inviteInput,
              h('button', { class: 'ghost', 'aria-label': 'Copy invite', onclick: () => copy(inviteInput.value, 'Invite') }, icon('copy'), 'Copy')),
            h('p', { class: 'muted small' }, 'Send this line by any channel you trust. Nobody can read your messages from it; it only says where to find you.'))))),
    section('Nearby on your network', nearbyList),
    section('Add by invite', h('p', { class: 'muted small' }, 'Paste an invite someone sent you.'), addByInviteForm()),
  ]);
  renderNearby();
  load('settings').then(renderNearby);
  return watch(['peers', 'settings'], renderNearby);
}
