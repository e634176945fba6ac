// What the page knows about the node, kept fresh from the event stream. Views read `state` and
// `watch` the parts they show; an event refetches only the parts it touches (debounced).

import { api } from './api.js';
import { on, onConnected, onDisconnected } from './events.js';

export const state = {
  status: null,
  peers: { nearby: [], contacts: [], requests: [], blocked: [], hub: [] },
  conversations: [],
  transfers: [],
  offers: [],
  rooms: { rooms: [], joined: [], error: null },
  hub: null,
  settings: null,
};

const loaders = {
  status: () => api.get('/api/status'),
  peers: () => api.get('/api/peers'),
  conversations: () => api.get('/api/conversations'),
  transfers: () => api.get('/api/transfers'),
  offers: () => api.get('/api/offers'),
  rooms: async () => {
    // Rooms live on the hub: without one connected there is nothing to ask for.
    const hub = state.hub ?? await api.get('/api/hub');
    if (!hub.hub || !hub.connected) return { rooms: [], joined: [], error: hub.hub ? 'The hub is not connected; rooms are back when it is.' : null };
    return api.get('/api/rooms').then(r => ({ ...r, error: null }), e => ({ rooms: [], joined: [], error: e.message }));
  },
  hub: () => api.get('/api/hub'),
  settings: () => api.get('/api/settings'),
};

const listeners = new Map();
const timers = new Map();

/** Calls fn whenever one of `keys` changes; returns a function that stops it. */
export function watch(keys, fn) {
  for (const key of keys) {
    if (!listeners.has(key)) listeners.set(key, new Set());
    listeners.get(key).add(fn);
  }
  return () => keys.forEach(key => listeners.get(key).delete(fn));
}

export function changed(key) {
  listeners.get(key)?.forEach(fn => fn(key));
}

/** Fetches one part now. */
export async function load(key) {
  try {
    state[key] = await loaders[key]();
    changed(key);
  } catch (e) {
    if (e.status !== 401) console.warn(`loading ${key}:`, e.message);
  }
}

/** Fetches one part soon, once however many events ask for it. */
export function refresh(key, delay = 150) {
  clearTimeout(timers.get(key));
  timers.set(key, setTimeout(() => load(key), delay));
}

export function loadAll() {
  return Promise.all(Object.keys(loaders).map(load));
}

/** The name the user knows a peer by: alias or their own name, else the ID's first group. */
export function nameOf(key) {
  if (key?.startsWith('#')) return key;
  if (key === state.status?.deviceId) return state.status.name;
  const known = [...state.peers.contacts, ...state.peers.requests, ...state.peers.blocked].find(p => p.deviceId === key)
    ?? state.peers.nearby.find(p => p.deviceId === key) ?? state.peers.hub.find(p => p.deviceId === key);
  return known?.name ?? (key ?? '').split('-')[0];
}

export function contactOf(key) {
  return state.peers.contacts.find(p => p.deviceId === key);
}

function upsertTransfer(t) {
  const i = state.transfers.findIndex(x => x.id === t.id);
  if (i >= 0) state.transfers[i] = t; else state.transfers.unshift(t);
  changed('transfers');
}

export function wireEvents() {
  on('message', () => refresh('conversations'));
  // A call starting, ending or moving its media changes the path shown beside the contact.
  for (const type of ['peer.online', 'peer.offline', 'peer.consent', 'request', 'call.answered', 'call.ended', 'call.transport']) on(type, () => refresh('peers'));
  for (const type of ['hub.presence', 'hub.connected', 'hub.disconnected']) {
    on(type, () => { refresh('peers'); refresh('hub'); refresh('rooms', 400); });
  }
  on('room.notice', () => refresh('rooms'));
  on('transfer', t => {
    if (t.state !== 'pending') {
      if (state.offers.some(o => o.transfer.id === t.id)) refresh('offers', 0);
      upsertTransfer(t);
    }
  });
  on('offer', () => refresh('offers', 0));
  onConnected(loadAll);
  // A node that is not running has nobody online: say so until it is back (loadAll then refetches).
  onDisconnected(() => {
    for (const list of ['contacts', 'requests', 'hub']) state.peers[list] = state.peers[list].map(p => ({ ...p, online: false }));
    if (state.hub) state.hub = { ...state.hub, connected: false };
    changed('peers');
    changed('hub');
  });
  // LAN discovery has no events (it hears announcements every few seconds): look again now and then.
  setInterval(() => { if (!document.hidden) refresh('peers'); }, 5000);
}
