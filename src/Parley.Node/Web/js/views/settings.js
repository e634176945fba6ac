// Settings: name, hub, download folder, LAN discovery, auto-accept per contact, notifications and
// sounds, theme, sign out.

import { api, seg } from '../api.js';
import { h, put, fill, toast, ask as askDialog } from '../dom.js';
import { state, watch, load } from '../state.js';
import { pageHeader, section, act } from './common.js';
import { notificationPermission, askForNotifications } from '../notify.js';
import { soundPrefs, setSound } from '../sounds.js';

export function mount(main) {
  const name = h('input', { value: state.status?.name ?? '', 'aria-label': 'Display name', maxlength: 64 });
  const saveName = h('button', { class: 'primary' }, 'Save');
  const hubInvite = h('input', { placeholder: 'parley://…?addr=host:port (from the hub’s owner)', 'aria-label': 'Hub invite', class: 'mono', spellcheck: 'false' });
  const joinHub = h('button', { class: 'primary' }, 'Join hub');
  const hubState = h('p', { class: 'muted small hub-state' });
  const leaveHub = h('button', { class: 'ghost danger-text' }, 'Leave hub');
  leaveHub.addEventListener('click', async () => {
    if (!await askDialog({ title: `Leave ${state.hub?.name ?? 'the hub'}?`, body: h('p', null, 'You will reach people on your network or by address only, until you join a hub again. Rooms on this hub are out of reach.'), confirm: 'Leave', danger: true })) return;
    // The hub first: the rooms loader reads it to know there is no hub to ask.
    if (await act(leaveHub, () => api.del('/api/hub'), ['hub'])) { toast('Left the hub'); load('rooms'); load('peers'); }
  });
  const folder = h('input', { value: state.settings?.downloadFolder ?? '', 'aria-label': 'Download folder', class: 'mono' });
  const saveFolder = h('button', { class: 'primary' }, 'Save');
  const discovery = h('input', { type: 'checkbox', checked: Boolean(state.settings?.discovery), role: 'switch' });
  const autoAccept = h('ul', { class: 'toggle-list' });
  const theme = h('select', { 'aria-label': 'Theme' }, ['auto', 'light', 'dark'].map(t =>
    h('option', { value: t, selected: (localStorage.getItem('parley-theme') ?? 'auto') === t }, t[0].toUpperCase() + t.slice(1))));

  function render() {
    const hub = state.hub;
    const others = hub?.members.filter(m => m.deviceId !== state.status?.deviceId).length ?? 0;
    fill(hubState, hub?.hub ? [`${hub.connected ? 'Connected to' : 'Reconnecting to'} hub `, h('strong', { class: 'hub-name', title: hub.hub }, hub.name ?? hub.hub.split('-')[0]),
      others ? ` · ${others} other member${others === 1 ? '' : 's'}` : '']
      : 'No hub: you reach people on your network, or by address.');
    leaveHub.hidden = !hub?.hub;
    discovery.checked = Boolean(state.settings?.discovery);
    if (document.activeElement !== folder) folder.value = state.settings?.downloadFolder ?? '';
    const on = new Set(state.settings?.autoAccept ?? []);
    fill(autoAccept, state.peers.contacts.length === 0 ? h('li', { class: 'empty' }, 'No contacts yet.') : state.peers.contacts.map(c => {
      const box = h('input', { type: 'checkbox', checked: on.has(c.deviceId) });
      box.addEventListener('change', () => act(box, () => api.post(`/api/peers/${seg(c.deviceId)}/auto-accept`, { enabled: box.checked }), ['settings']));
      return h('li', null, h('label', { class: 'toggle' }, box, h('span', null, `Accept files from ${c.name} without asking`)));
    }));
  }

  discovery.addEventListener('change', () => act(discovery, () => api.post('/api/settings', { discovery: discovery.checked }), ['settings', 'status']));
  theme.addEventListener('change', () => {
    if (theme.value === 'auto') { localStorage.removeItem('parley-theme'); delete document.documentElement.dataset.theme; }
    else { localStorage.setItem('parley-theme', theme.value); document.documentElement.dataset.theme = theme.value; }
  });

  put(main, [
    pageHeader('Settings'),
    section('Your name', h('form', {
      class: 'inline-form',
      onsubmit: e => { e.preventDefault(); act(saveName, () => api.post('/api/name', { name: name.value }), ['status']).then(r => r && toast('Name saved')); },
    }, name, saveName), h('p', { class: 'muted small' }, 'Shown to the people you connect with.')),
    notifications(),
    section('Hub', h('div', { class: 'row-actions hub-row' }, hubState, leaveHub), h('form', {
      class: 'inline-form',
      onsubmit: async e => {
        e.preventDefault();
        if (!hubInvite.value.trim()) return;
        if (await act(joinHub, () => api.post('/api/hub', { invite: hubInvite.value.trim() }), ['hub', 'rooms', 'peers'])) { hubInvite.value = ''; toast('Joined the hub'); }
      },
    }, hubInvite, joinHub), h('p', { class: 'muted small' }, 'A hub lets you find people by name, reach them across the internet, leave messages while they are away, and use rooms.')),
    section('Downloads', h('form', {
      class: 'inline-form',
      onsubmit: e => { e.preventDefault(); act(saveFolder, () => api.post('/api/settings', { downloadFolder: folder.value }), ['settings']).then(r => r && toast('Download folder saved')); },
    }, folder, saveFolder), h('h3', null, 'Auto-accept'), autoAccept),
    section('Network', h('label', { class: 'toggle' }, discovery, h('span', null, 'Find and be found by Parley on this local network (LAN discovery)'))),
    section('Appearance', h('label', { class: 'stacked' }, 'Theme', theme)),
    section('Session', h('button', {
      class: 'ghost',
      onclick: async () => { await api.post('/api/logout'); location.reload(); },
    }, 'Sign out of this browser')),
  ]);
  render();
  load('settings');
  load('hub');
  return watch(['settings', 'hub', 'peers'], render);
}

const PERMISSION_TEXT = {
  granted: 'Desktop notifications are on: messages, contact requests, file offers and calls show while this tab is in the background.',
  denied: 'This browser blocks notifications from Parley; allow them in the site settings (the icon left of the address).',
  default: 'Get a desktop notification for messages, contact requests, file offers and calls while this tab is in the background.',
  unsupported: 'This browser cannot show desktop notifications.',
};

/** Desktop notifications (the browser asks when the button is clicked) and the two sounds. */
function notifications() {
  const status = h('p', { class: 'muted small', role: 'status' });
  const ask = h('button', { class: 'primary' }, 'Turn on desktop notifications');
  const askRow = h('p', null, ask);
  const show = () => {
    const permission = notificationPermission();
    status.textContent = PERMISSION_TEXT[permission];
    // Also offered when blocked: the browser then answers at once, and a person who has since
    // allowed Parley in the site settings sees it take effect.
    askRow.hidden = permission === 'granted' || permission === 'unsupported';
  };
  ask.addEventListener('click', () => act(ask, async () => { await askForNotifications(); show(); }));
  show();
  const sound = (kind, label) => {
    const box = h('input', { type: 'checkbox', checked: soundPrefs[kind], role: 'switch' });
    box.addEventListener('change', () => setSound(kind, box.checked));
    return h('label', { class: 'toggle' }, box, h('span', null, label));
  };
  return section('Notifications', status, askRow, sound('ring', 'Ringtone for incoming calls'), sound('message', 'Sound for new messages'));
}
