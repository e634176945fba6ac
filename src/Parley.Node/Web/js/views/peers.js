// Peers: requests to answer, contacts, devices nearby and on the hub, adding by invite.

import { api, seg } from '../api.js';
import { h, put, fill, ask, toast } from '../dom.js';
import { ago } from '../format.js';
import { state, watch, load } from '../state.js';
import { pageHeader, section, peerRow, presence, act, addPeer, addByInviteForm } from './common.js';

export function mount(main) {
  const requests = h('ul', { class: 'peer-list' });
  const contacts = h('ul', { class: 'peer-list' });
  const others = h('ul', { class: 'peer-list' });
  const requestsCard = section('Asking to connect', h('p', { class: 'muted small' }, 'Accept only people you know. Check the safety number below with them if in doubt (in person or on a call).'), requests);
  const safetyNumbers = new Map(); // device ID → its safety number with us (it never changes; computing it costs the node a little)

  function button(label, kind, work, reload = ['peers']) {
    const b = h('button', { class: kind }, label);
    b.addEventListener('click', () => act(b, work, reload));
    return b;
  }

  function render() {
    requestsCard.hidden = state.peers.requests.length === 0;
    fill(requests, state.peers.requests.map(p => peerRow(p, [`wants to connect · ${ago(p.lastSeen)}`, safetyLine(p)], [
      button('Accept', 'primary', () => api.post(`/api/peers/${seg(p.deviceId)}/accept`)),
      p.verified ? null : button('Mark as verified', 'ghost', () => api.post(`/api/peers/${seg(p.deviceId)}/verify`)),
      button('Deny', 'ghost', () => api.post(`/api/peers/${seg(p.deviceId)}/deny`)),
      button('Block', 'ghost danger-text', () => api.post(`/api/peers/${seg(p.deviceId)}/block`)),
    ])));

    const list = state.peers.contacts;
    fill(contacts, list.length === 0 ? h('li', { class: 'empty' }, 'No contacts yet. Add someone nearby or paste an invite.')
      : list.map(p => peerRow(p, [presence(p), p.acceptsUs === false ? ' · has not accepted you yet' : ''], [
        h('a', { class: 'button primary', href: `#/chats/${seg(p.deviceId)}` }, 'Chat'),
        button('Rename', 'ghost', () => rename(p)),
        button('Safety number', 'ghost', () => safety(p), []),
        button('Block', 'ghost danger-text', () => block(p)),
      ])));

    const known = new Set([...state.peers.contacts, ...state.peers.requests, ...state.peers.blocked].map(p => p.deviceId));
    const candidates = [
      ...state.peers.nearby.map(n => ({ ...n, where: `nearby · ${n.address}` })),
      ...state.peers.hub.filter(m => m.deviceId !== state.status?.deviceId).map(m => ({ ...m, where: m.online ? 'on the hub · online' : `on the hub · ${ago(m.lastSeen)}` })),
    ].filter((p, i, all) => !known.has(p.deviceId) && all.findIndex(q => q.deviceId === p.deviceId) === i);
    fill(others, candidates.length === 0 ? h('li', { class: 'empty' }, 'Nobody else found on your network or hub.')
      : candidates.map(p => peerRow(p, p.where, button('Add', 'primary', () => addPeer(p.deviceId)))));
  }

  async function rename(p) {
    const values = await ask({ title: `Rename ${p.name}`, fields: [{ name: 'name', label: 'Name shown for this contact', value: p.name }], confirm: 'Rename' });
    if (values) await api.post(`/api/peers/${seg(p.deviceId)}/rename`, { name: values.name });
  }

  /** The request's safety number, shown in its row (fetched once per device, then the row is redrawn). */
  function safetyLine(p) {
    const known = safetyNumbers.get(p.deviceId);
    if (known === undefined) {
      safetyNumbers.set(p.deviceId, null);
      api.get(`/api/peers/${seg(p.deviceId)}/safety`).then(s => { safetyNumbers.set(p.deviceId, s.safetyNumber); render(); }, () => safetyNumbers.delete(p.deviceId));
    }
    return known ? h('span', { class: 'safety-line' }, ' · safety number ', h('span', { class: 'mono safety-inline' }, known)) : null;
  }

  async function safety(p) {
    const s = await api.get(`/api/peers/${seg(p.deviceId)}/safety`);
    const confirmed = await ask({
      title: `Safety number with ${p.name}`,
      body: [h('p', { class: 'safety mono' }, s.safetyNumber),
        h('p', { class: 'muted small' }, p.verified
          ? `You marked this as checked with ${p.name}.`
          : `Compare this with ${p.name}, in person or on a call. If it matches, nobody is in the middle: mark it as verified.`)],
      confirm: p.verified ? 'Done' : 'Mark as verified',
    });
    if (confirmed && !p.verified) {
      await api.post(`/api/peers/${seg(p.deviceId)}/verify`);
      await load('peers');
      toast(`${p.name} is verified`);
    }
  }

  async function block(p) {
    if (await ask({ title: `Block ${p.name}?`, body: h('p', null, 'They will not be able to reach you. You can add them again later.'), confirm: 'Block', danger: true })) {
      await api.post(`/api/peers/${seg(p.deviceId)}/block`);
      toast(`${p.name} is blocked`);
    }
  }

  put(main, [
    pageHeader('Peers', 'The people and devices you talk to.'),
    requestsCard,
    section('Contacts', contacts),
    section('Add someone', addByInviteForm(), h('h3', null, 'Nearby and on your hub'), others),
  ]);
  render();
  return watch(['peers', 'status'], render);
}
