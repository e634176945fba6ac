// Call and Video call for one contact, as a conversation's header shows them: disabled while the
// contact is offline or another call is live.

import { h } from '../dom.js';
import { contactOf, watch } from '../state.js';
import { calls, onCallChange, placeCall } from './session.js';
import { act } from '../views/common.js';

/** The two buttons for `key` (a device ID), kept up to date until `stop` of the returned pair is called. */
export function callButtons(key) {
  const voice = h('button', { class: 'ghost small' }, 'Call');
  const video = h('button', { class: 'ghost small' }, 'Video call');
  const go = withVideo => { location.hash = '#/calls'; return placeCall(key, withVideo); };
  voice.addEventListener('click', () => act(voice, () => go(false)).then(update));
  video.addEventListener('click', () => act(video, () => go(true)).then(update));
  function update() {
    const contact = contactOf(key);
    for (const [button, what] of [[voice, 'Call'], [video, 'Video call']]) {
      button.disabled = !contact?.online || Boolean(calls.call);
      button.setAttribute('aria-label', `${what} ${contact?.name ?? ''}`.trim());
      button.title = !contact ? 'Only contacts can be called' : !contact.online ? `${contact.name} is offline` : calls.call ? 'Already in a call' : '';
    }
  }
  update();
  const stops = [watch(['peers'], update), onCallChange(update)];
  const group = h('div', { class: 'header-calls', hidden: !contactOf(key) }, voice, video);
  return { element: group, stop: () => stops.forEach(s => s()) };
}
