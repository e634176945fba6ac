// Files: offers waiting for an answer, transfers with progress, and sending to a contact.

import { h, put, fill } from '../dom.js';
import { state, watch, load } from '../state.js';
import { pageHeader, section, act } from './common.js';
import { offerCard, transferCard } from './transfers.js';
import { filesFromInput, sendFiles } from '../upload.js';

export function mount(main) {
  const offers = h('div', { class: 'cards' });
  const transfers = h('div', { class: 'cards' });
  const to = h('select', { 'aria-label': 'Send to' });
  const filePicker = h('input', { type: 'file', multiple: true, 'aria-label': 'Files to send' });
  const folderPicker = h('input', { type: 'file', webkitdirectory: true, 'aria-label': 'Folder to send' });
  const send = h('button', { class: 'primary' }, 'Send');
  const progress = h('p', { class: 'muted small', hidden: true });
  const offersCard = section('Offered to you', offers);

  function render() {
    offersCard.hidden = state.offers.length === 0;
    fill(offers, state.offers.map(offerCard));
    fill(transfers, state.transfers.length === 0 ? h('p', { class: 'empty' }, 'Nothing sent or received yet.') : state.transfers.slice(0, 50).map(transferCard));
    const chosen = to.value;
    fill(to, state.peers.contacts.map(c => h('option', { value: c.deviceId, selected: c.deviceId === chosen }, c.name)));
    send.disabled = state.peers.contacts.length === 0;
  }

  put(main, [
    pageHeader('Files', 'Nothing lands on your disk until you accept it; every block is checked against its SHA-256.'),
    offersCard,
    section('Send',
      h('form', {
        class: 'send-form',
        onsubmit: async e => {
          e.preventDefault();
          const files = [...filesFromInput(filePicker), ...filesFromInput(folderPicker)];
          if (files.length === 0 || !to.value) return;
          const done = await act(send, () => sendFiles(to.value, files, progress));
          if (done) { filePicker.value = ''; folderPicker.value = ''; }
        },
      },
      h('label', { class: 'stacked' }, 'To', to),
      h('label', { class: 'stacked' }, 'Files', filePicker),
      h('label', { class: 'stacked' }, 'or a folder', folderPicker),
      h('div', { class: 'actions' }, send)),
      progress,
      h('p', { class: 'muted small' }, 'You can also drop files and folders onto a conversation.')),
    section('Transfers', transfers),
  ]);
  render();
  load('settings');
  return watch(['offers', 'transfers', 'peers', 'settings'], render);
}
