// An attachment inside its message: a voice message's player, an image's preview (the sender made it;
// the full image opens on a click), or a file's name, size and Save. A voice message whose waveform or
// duration is not what a voice message carries is shown as a plain file.

import { api } from '../api.js';
import { h, toast } from '../dom.js';
import { bytes } from '../format.js';
import { voicePlayer } from '../voice/voice-player.js';

/** The node's longest voice message (10 min) and most waveform values. */
const MAX_VOICE_MS = 10 * 60 * 1000;
const MAX_WAVEFORM = 128;

/** The attachment routes name a message (its attachment's own ID may differ). */
const path = (m, what) => `/api/attachments/${encodeURIComponent(m.id)}/${what}`;

export function isPlayableVoice(a) {
  return a.kind === 'voice'
    && Number.isInteger(a.durationMs) && a.durationMs > 0 && a.durationMs <= MAX_VOICE_MS
    && Array.isArray(a.waveform) && a.waveform.length > 0 && a.waveform.length <= MAX_WAVEFORM
    && a.waveform.every(v => Number.isInteger(v) && v >= 0 && v <= 255);
}

async function save(m, button) {
  button.disabled = true;
  try {
    const saved = await api.post(path(m, 'save'), { path: null });
    toast(`Saved to ${saved.path}`);
  } catch (e) {
    toast(e.message, 'error');
  } finally {
    button.disabled = false;
  }
}

/** The full image over the page; a click or Escape closes it. */
function showImage(m) {
  const a = m.attachment;
  const dialog = h('dialog', { class: 'image-viewer', onclick: () => dialog.close() },
    h('img', { src: path(m, 'content'), alt: a.name }));
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

function fileLine(m) {
  const a = m.attachment;
  const saveButton = h('button', { type: 'button', class: 'ghost attachment-save' }, 'Save');
  saveButton.addEventListener('click', () => save(m, saveButton));
  return h('div', { class: 'attachment-file' },
    h('span', { class: 'attachment-name' }, a.name),
    h('span', { class: 'attachment-size muted' }, bytes(a.size)),
    a.state === 'missing' ? h('span', { class: 'attachment-missing' }, 'unavailable') : saveButton);
}

/** The attachment of message m, for its bubble. */
export function attachmentEl(m) {
  const a = m.attachment;
  if (isPlayableVoice(a)) return h('div', { class: 'attachment voice', dataset: { attachment: a.id } }, voicePlayer(a, path(m, 'content')));
  if (a.kind === 'image' && a.hasPreview) {
    return h('div', { class: 'attachment image', dataset: { attachment: a.id } },
      h('button', { type: 'button', class: 'attachment-preview', 'aria-label': `Open ${a.name}`, onclick: () => showImage(m) },
        h('img', { src: path(m, 'preview'), alt: a.name })),
      fileLine(m));
  }
  return h('div', { class: 'attachment file', dataset: { attachment: a.id } }, fileLine(m));
}
