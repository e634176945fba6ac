// Pieces several views share: page header, peer rows, presence, adding a peer.

import { api } from '../api.js';
import { h, avatar, toast } from '../dom.js';
import { ago } from '../format.js';
import { load, nameOf } from '../state.js';

export function pageHeader(title, subtitle) {
  return h('header', { class: 'page-header' }, h('h1', null, title), subtitle && h('p', { class: 'muted' }, subtitle));
}

export function section(title, ...children) {
  return h('section', { class: 'card' }, h('h2', null, title), ...children);
}

/** "online · lan", "online · punched · call over udp", "last seen 5 min ago" (the link's path: lan, direct, punched, mapped, relayed; a call's media path). */
export function presence(peer) {
  const path = peer.path ?? peer.link;
  if (peer.online) {
    return h('span', { class: 'presence online', title: path ? `link path: ${path}` : '' },
      'online', path ? ` · ${path}` : '', peer.callPath ? ` · call over ${peer.callPath}` : '');
  }
  return h('span', { class: 'presence' }, peer.lastSeen ? `last seen ${ago(peer.lastSeen)}` : 'not seen yet');
}

export function peerRow(peer, details, actions) {
  return h('li', { class: 'peer-row' },
    avatar(peer.name, peer.deviceId),
    h('div', { class: 'peer-text' }, h('span', { class: 'peer-title' }, h('strong', { class: 'peer-name' }, peer.name), trustBadge(peer)),
      h('small', null, details), keyChangeWarning(peer)),
    h('div', { class: 'row-actions' }, actions));
}

/** "Verified" beside a contact whose safety number the user checked (stored on the node); nothing otherwise. */
export function trustBadge(peer) {
  return peer?.verified ? h('span', { class: 'verified-badge', title: 'Safety number checked with this person' }, '✓ verified') : null;
}

/** A device going by the name of a verified contact with another key: a new device of theirs, or someone posing as them. */
export function keyChangeWarning(peer) {
  if (!peer?.keyChangeOf) return null;
  return h('p', { class: 'key-change', role: 'note' },
    `Not the key you verified for ${nameOf(peer.keyChangeOf)}: this device's key is different. Check the safety number with them before trusting it.`);
}

/** Runs an action of a button: disabled while it works, errors shown, then the named parts reloaded. */
export async function act(button, work, reload = []) {
  button.disabled = true;
  try {
    const result = await work();
    await Promise.all(reload.map(load));
    return result;
  } catch (e) {
    toast(e.message, 'error');
    return undefined;
  } finally {
    button.disabled = false;
  }
}

/** Adds a contact by invite, device ID or nearby name. */
export async function addPeer(target) {
  const peer = await api.post('/api/contacts', { target });
  toast(`Asked ${peer.name} to connect. You can chat once they accept.`);
  return peer;
}

/** The "paste an invite" form. */
export function addByInviteForm() {
  const input = h('input', { name: 'invite', placeholder: 'parley://… or a device ID', 'aria-label': 'Invite or device ID', autocomplete: 'off', spellcheck: 'false' });
  const button = h('button', { class: 'primary' }, 'Add');
  return h('form', {
    class: 'inline-form',
    onsubmit: async e => {
      e.preventDefault();
      if (!input.value.trim()) return;
      if (await act(button, () => addPeer(input.value.trim()), ['peers'])) input.value = '';
    },
  }, input, button);
}
