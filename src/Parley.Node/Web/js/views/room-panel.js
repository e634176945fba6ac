// A room's panel in its conversation: who is in it (owners marked, online or not) and, for an
// owner, what owners do: invite someone (picked from contacts and the hub's members), copy a
// join link, remove a member, set the topic, make the room public or invite-only.

import { api, seg } from '../api.js';
import { h, fill, ask, copy, toast } from '../dom.js';
import { state } from '../state.js';

/** Runs an owner's action; errors (not an owner, unknown member) go to a toast. True when it worked. */
async function run(button, work) {
  if (button) button.disabled = true;
  try {
    await work();
    return true;
  } catch (e) {
    toast(e.message, 'error');
    return false;
  } finally {
    if (button) button.disabled = false;
  }
}

/** "Topic: …" under the room's name, with Edit for an owner. */
export function topicLine(key, info, changed) {
  if (!info) return null;
  const edit = info.iAmOwner ? h('button', { type: 'button', class: 'ghost small', 'aria-label': 'Edit topic' }, 'Edit') : null;
  edit?.addEventListener('click', async () => {
    const values = await ask({
      title: `Topic of ${key}`, confirm: 'Save',
      fields: [{ name: 'topic', label: 'Topic', value: info.topic ?? '', required: false, placeholder: 'what this room is for' }],
    });
    if (values && await run(edit, () => api.post(`/api/rooms/${seg(key)}/policy`, { topic: values.topic }))) changed();
  });
  return h('p', { class: 'room-topic' },
    info.topic ? h('span', { class: 'topic-text' }, info.topic) : h('span', { class: 'muted' }, info.iAmOwner ? 'No topic yet' : ''),
    h('span', { class: `access ${info.public ? 'public' : ''}` }, info.public ? 'public' : 'invite-only'),
    edit);
}

/** The people who could be invited: contacts and the hub's members, less those in the room. */
function candidates(info) {
  const inRoom = new Set((info.members ?? []).map(m => m.deviceId));
  const byId = new Map();
  for (const p of [...state.peers.contacts, ...state.peers.hub]) {
    if (!inRoom.has(p.deviceId) && p.deviceId !== state.status?.deviceId && !byId.has(p.deviceId)) byId.set(p.deviceId, p);
  }
  return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Invite: a picker of people, or a name or device ID typed in. */
function inviteDialog(key, info, changed) {
  const people = candidates(info);
  const picker = h('select', { name: 'pick', 'aria-label': 'Person to invite' },
    h('option', { value: '' }, people.length ? 'Choose someone…' : 'No one else known yet'),
    people.map(p => h('option', { value: p.deviceId }, `${p.name}${p.online ? ' (online)' : ''}`)));
  const typed = h('input', { name: 'member', 'aria-label': 'Or a name or device ID', placeholder: 'or a name or device ID', autocomplete: 'off', spellcheck: 'false' });
  const error = h('p', { class: 'composer-error', role: 'alert', hidden: true });
  const send = h('button', { class: 'primary' }, 'Invite');
  const dialog = h('dialog', { 'aria-label': `Invite to ${key}` }, h('form', {
    onsubmit: async e => {
      e.preventDefault();
      const member = typed.value.trim() || picker.value;
      if (!member) return;
      send.disabled = true;
      try {
        await api.post(`/api/rooms/${seg(key)}/invite`, { member });
        dialog.close();
        toast(`Invited to ${key}: they can join from Rooms.`);
        changed();
      } catch (e2) {
        error.textContent = e2.message;
        error.hidden = false;
      } finally {
        send.disabled = false;
      }
    },
  },
  h('h2', null, `Invite to ${key}`),
  h('p', { class: 'muted' }, 'Your invite is signed by you; members check it before they give the newcomer their keys.'),
  h('label', null, 'Person', picker), h('label', null, 'Or a name or device ID', typed), error,
  h('div', { class: 'actions' }, h('button', { type: 'button', class: 'ghost', onclick: () => dialog.close() }, 'Cancel'), send)));
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

/** A join link: whoever holds it may join until it expires. Shown to select, and copied. */
async function linkDialog(key, button) {
  let made;
  if (!await run(button, async () => { made = await api.post(`/api/rooms/${seg(key)}/invite-link`); })) return;
  const field = h('input', { readonly: true, value: made.link, 'aria-label': 'Join link', spellcheck: 'false' });
  const dialog = h('dialog', { 'aria-label': `Join link for ${key}` }, h('form', { method: 'dialog' },
    h('h2', null, `Join link for ${key}`),
    h('p', { class: 'muted' }, `Anyone you give it to can join until ${new Date(made.expiresAt).toLocaleString()}. Send it privately.`),
    field,
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'ghost', onclick: () => copy(made.link, 'Join link') }, 'Copy'),
      h('button', { class: 'primary' }, 'Done'))));
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  field.select();
  copy(made.link, 'Join link');
}

async function removeMember(key, member, button, changed) {
  const sure = await ask({
    title: `Remove ${member.name} from ${key}?`, confirm: 'Remove', danger: true,
    body: 'Everyone gets new keys: they cannot read what is said after this. They can come back only with a new invite.',
  });
  if (sure && await run(button, () => api.post(`/api/rooms/${seg(key)}/remove`, { member: member.deviceId }))) changed();
}

/** Owner tools (when we own the room) and the member list; `members` is the list element to fill. */
export function renderPanel(tools, members, key, info, changed) {
  const me = state.status?.deviceId;
  if (info?.iAmOwner) {
    const invite = h('button', { type: 'button', class: 'primary' }, 'Invite');
    invite.addEventListener('click', () => inviteDialog(key, info, changed));
    const link = h('button', { type: 'button', class: 'ghost' }, 'Copy join link');
    link.addEventListener('click', () => linkDialog(key, link));
    const open = h('input', { type: 'checkbox', role: 'switch', checked: Boolean(info.public) });
    open.addEventListener('change', async () => {
      if (!await run(open, () => api.post(`/api/rooms/${seg(key)}/policy`, { public: open.checked }))) open.checked = !open.checked;
      changed();
    });
    fill(tools, invite, link, h('label', { class: 'toggle' }, open, h('span', null, 'Public: anyone on the hub may join')));
    tools.hidden = false;
  } else {
    tools.hidden = true;
  }
  const list = info?.members ?? [];
  fill(members, list.length === 0 ? h('li', { class: 'empty' }, 'No members known') : list.map(m => {
    const remove = info.iAmOwner && m.deviceId !== me ? h('button', { type: 'button', class: 'ghost small danger-text', 'aria-label': `Remove ${m.name}` }, 'Remove') : null;
    remove?.addEventListener('click', () => removeMember(key, m, remove, changed));
    return h('li', { dataset: { id: m.deviceId } }, h('span', { class: `dot ${m.online ? 'online' : ''}`, 'aria-hidden': 'true' }),
      m.deviceId === me ? `${m.name} (you)` : m.name,
      m.owner ? h('span', { class: 'owner-badge' }, 'owner') : null,
      h('small', { class: 'muted' }, m.online ? 'online' : 'offline'), remove);
  }));
}
