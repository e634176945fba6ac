// Sending from the browser. A page cannot hand the node a path, only bytes: each file is PUT into
// an upload on the node (folder structure kept), then the upload is offered to the contact.

import { api } from './api.js';
import { toast } from './dom.js';
import { bytes } from './format.js';
import { load, nameOf } from './state.js';

/** Files from a drop: folders are walked, and every file keeps its path below what was dropped. */
export async function filesFromDrop(dataTransfer) {
  const entries = [...dataTransfer.items].map(i => i.webkitGetAsEntry?.()).filter(Boolean);
  if (entries.length === 0) return [...dataTransfer.files].map(file => ({ file, path: file.name }));
  const found = [];
  async function walk(entry, prefix) {
    if (entry.isFile) {
      found.push({ file: await new Promise((ok, fail) => entry.file(ok, fail)), path: prefix + entry.name });
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((ok, fail) => reader.readEntries(ok, fail));
        if (batch.length === 0) break;
        for (const child of batch) await walk(child, `${prefix}${entry.name}/`);
      }
    }
  }
  for (const entry of entries) await walk(entry, '');
  return found;
}

/** Files from an <input type=file> (a folder pick gives each file's path inside the folder). */
export function filesFromInput(input) {
  return [...input.files].map(file => ({ file, path: file.webkitRelativePath || file.name }));
}

/** Stages the files on the node and offers them to the peer; shows how far it got in `progress` (an element). */
export async function sendFiles(peer, files, progress) {
  const onProgress = text => { progress.textContent = text; progress.hidden = !text; };
  if (files.length === 0) return null;
  const total = files.reduce((n, f) => n + f.file.size, 0);
  const { id } = await api.post('/api/uploads');
  try {
    let done = 0;
    for (const [i, f] of files.entries()) {
      onProgress(`Preparing ${i + 1} of ${files.length} (${bytes(done)} of ${bytes(total)})`);
      await api.put(`/api/uploads/${id}?path=${encodeURIComponent(f.path)}`, f.file);
      done += f.file.size;
    }
    const { transfer } = await api.post(`/api/uploads/${id}/send`, { to: peer });
    toast(`Offered ${files.length === 1 ? files[0].path : `${files.length} files`} (${bytes(total)}) to ${nameOf(peer)}`);
    await load('transfers');
    return transfer;
  } catch (e) {
    api.del(`/api/uploads/${id}`).catch(() => {});
    throw e;
  } finally {
    onProgress('');
  }
}

