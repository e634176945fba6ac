// Cards for incoming offers and for transfers, used in the Files view and inside a conversation.

import { api } from '../api.js';
import { h } from '../dom.js';
import { bytes, duration } from '../format.js';
import { state } from '../state.js';
import { act } from './common.js';

const stateText = {
  offered: 'waiting for them to accept', active: 'sending', paused: 'paused', completed: 'done',
  rejected: 'declined', cancelled: 'cancelled', failed: 'failed', pending: 'waiting for you',
};

/** An incoming offer: what, how big, where it would go, Accept / Reject. */
export function offerCard(offer) {
  const t = offer.transfer;
  const folder = h('input', { value: state.settings?.downloadFolder ?? '', 'aria-label': 'Save to folder', class: 'mono' });
  const accept = h('button', { class: 'primary' }, 'Accept');
  const reject = h('button', { class: 'ghost' }, 'Reject');
  accept.addEventListener('click', () => act(accept, () => api.post(`/api/offers/${t.id}/accept`, { folder: folder.value || null }), ['offers', 'transfers']));
  reject.addEventListener('click', () => act(reject, () => api.post(`/api/offers/${t.id}/reject`), ['offers', 'transfers']));
  const more = t.fileCount - offer.files.length;
  return h('article', { class: 'offer-card', dataset: { transfer: t.id } },
    h('header', null, h('strong', null, `${t.peerName} offers ${t.fileCount === 1 ? 'a file' : `${t.fileCount} files`}`), h('span', { class: 'muted' }, bytes(t.totalBytes))),
    h('ul', { class: 'file-names' }, offer.files.map(f => h('li', null, h('span', { class: 'file-name' }, f.path), h('span', { class: 'muted' }, bytes(f.size)))),
      more > 0 ? h('li', { class: 'muted' }, `and ${more} more`) : null),
    h('label', { class: 'stacked' }, 'Save to', folder),
    h('div', { class: 'actions' }, reject, accept));
}

const count = n => n.toLocaleString('en-US');

/** A transfer with progress, rate, time left, Cancel, and the verified result at the end. */
export function transferCard(t) {
  const percent = t.totalBytes > 0 ? Math.floor((t.bytesDone / t.totalBytes) * 100) : (t.state === 'completed' ? 100 : 0);
  const moving = t.state === 'active' || t.state === 'offered' || t.state === 'paused';
  const cancel = h('button', { class: 'ghost small' }, 'Cancel');
  cancel.addEventListener('click', () => act(cancel, () => api.post(`/api/transfers/${t.id}/cancel`), ['transfers']));
  // Every file named or counted ("photo.png and 1 more"); the one moving now is in the detail line.
  const what = t.title ?? t.names ?? `${t.fileCount} files`;
  const now = t.currentFile && t.fileCount > 1 ? `${t.currentFile.path} · ` : '';
  // Many small files move fast and say little in bytes: count them too ("1,234 of 10,000 files").
  const counted = t.fileCount > 1 ? ` · ${count(t.filesDone)} of ${count(t.fileCount)} files` : '';
  const toward = t.direction === 'outgoing' ? `To ${t.peerName}` : `From ${t.peerName}`;
  let detail;
  if (t.state === 'completed') {
    detail = h('span', { class: 'verified' }, `✓ verified (SHA-256), ${t.fileCount === 1 ? '1 file' : `${t.fileCount} files`}, ${bytes(t.totalBytes)}`,
      t.direction === 'incoming' && t.folder ? ` · saved in ${t.folder}` : '');
  } else if (t.state === 'active') {
    detail = [now, `${bytes(t.bytesDone)} of ${bytes(t.totalBytes)}`, counted, t.bytesPerSecond ? ` · ${bytes(t.bytesPerSecond)}/s` : '', t.etaSeconds != null ? ` · ${duration(t.etaSeconds)} left` : ''];
  } else {
    detail = [stateText[t.state] ?? t.state, t.error ? `: ${t.error}` : '', moving ? counted : ''];
  }
  return h('article', { class: `transfer-card ${t.state}`, dataset: { transfer: t.id, state: t.state } },
    h('header', null, h('strong', null, toward), h('span', { class: 'file-name' }, what), h('span', { class: 'percent' }, `${percent}%`)),
    h('progress', { max: 100, value: percent, 'aria-label': `${toward}: ${percent}%` }),
    h('div', { class: 'transfer-detail' }, h('small', null, detail), moving ? cancel : null));
}

