// Attachments from the page: any file into a conversation (1:1 or room) through /api/attachments.
// An image gets its small preview made here, in the page, so no node ever decodes an untrusted image.
// A file over the attachment cap is offered as a transfer instead (1:1 only: rooms take attachments).

import { api, seg } from './api.js';
import { ask } from './dom.js';
import { bytes } from './format.js';
import { sendFiles } from './upload.js';

/** The largest attachment the node sends (AttachmentService.MaxBytes): a bigger file goes as a transfer. */
const ATTACHMENT_CAP = 64 * 1024 * 1024;
/** Longest side of an image's preview, and its most bytes (the node refuses bigger). */
const PREVIEW_PX = 320;
const PREVIEW_BYTES = 32 * 1024;

/** A JPEG of at most 320 px a side and 32 KiB, or null when the browser cannot read the image. */
export async function imagePreview(file) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return null;
  }
  const scale = Math.min(1, PREVIEW_PX / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  for (const quality of [0.8, 0.6, 0.4, 0.25]) {
    const blob = await new Promise(resolve => canvas.toBlob(resolve, 'image/jpeg', quality));
    if (blob && blob.size <= PREVIEW_BYTES) return blob;
  }
  return null;
}

/**
 * Sends `file` into conversation `key`; returns the message, or null when it went as a transfer or
 * not at all. `progress` is the composer's progress line.
 */
export async function sendAttachment(key, file, progress) {
  if (file.size > ATTACHMENT_CAP) return offerTransfer(key, file, progress, `${file.name} is ${bytes(file.size)}, over the attachment cap of ${bytes(ATTACHMENT_CAP)}.`);
  const form = new FormData();
  form.append('file', file, file.name);
  const preview = file.type.startsWith('image/') ? await imagePreview(file) : null;
  form.append('kind', preview ? 'image' : 'file');
  if (preview) form.append('preview', preview, 'preview.jpg');
  progress.textContent = `Sending ${file.name} (${bytes(file.size)})`;
  progress.hidden = false;
  try {
    return await api.post(`/api/attachments/${seg(key)}`, form);
  } catch (e) {
    if (e.status !== 413) throw e;
    return offerTransfer(key, file, progress, e.message);
  } finally {
    progress.textContent = '';
    progress.hidden = true;
  }
}

/** Too large for an attachment: in a 1:1, asks to send it as a transfer (resumable); a room takes no transfers. */
async function offerTransfer(key, file, progress, why) {
  if (key.startsWith('#')) throw new Error(`${why} Send it to people one at a time as a transfer instead.`);
  const ok = await ask({ title: 'Too large for an attachment', body: `${why} Send ${file.name} as a file transfer instead? It resumes if the link drops.`, confirm: 'Send as transfer' });
  if (ok) await sendFiles(key, [{ file, path: file.name }], progress);
  return null;
}
