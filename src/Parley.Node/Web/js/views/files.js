// Files: offers waiting for an answer, transfers with progress, and sending to a contact.

import { h, put, fill, icon } from '../dom.js';
import { bytes } from '../format.js';
import { state, watch, load } from '../state.js';
import { pageHeader, section, act } from './common.js';
import { offerCard, transferCard } from './transfers.js';
import { filesFromInput, sendFiles } from '../upload.js';

export function mount(main) {
  const offers = h('div', { class: 'cards' });
  const transfers = h('div', { class: 'cards' });
  const to = h('select', { 'aria-label': 'Send to' });
  // The raw inputs stay hidden behind real buttons; what was picked is named below them.
  const filePicker = h('input', { type: 'file', multiple: true, hidden: true, 'aria-label': 'Files to send' });
  const folderPicker = h('input', { type: 'file', webkitdirectory: true, hidden: true, 'aria-label': 'Folder to send' });
  const chooseFiles = h('button', { type: 'button', class: 'ghost', onclick: () => filePicker.click() }, icon('attach'), 'Choose files…');
  const chooseFolder = h('button', { type: 'button', class: 'ghost', onclick: () => folderPicker.click() }, icon('folder'), 'Choose a folder…');
  const pickedLine = h('p', { class: 'muted small chosen-files', role: 'status' }, 'Nothing chosen yet.');
  let picked = [];
  for (const picker of [filePicker, folderPicker]) {
    picker.addEventListener('change', () => {
      picked = filesFromInput(picker);
      picker.value = '';
      const total = picked.reduce((n, f) => n + f.file.size, 0);
      pickedLine.textContent = picked.length === 0 ? 'Nothing chosen yet.'
        : `${picked[0].path}${picked.length > 1 ? ` and ${picked.length - 1} more` : ''} (${bytes(total)})`;
      send.disabled = picked.length === 0 || !to.value;
    });
  }
  const send = h('button', { class: 'primary', disabled: true }, 'Send');
  const progress = h('p', { class: 'muted small', hidden: true });
  const offersCard = section('Offered to you', offers);

  function render() {
    offersCard.hidden = state.offers.length === 0;
    fill(offers, state.offers.map(offerCard));
    fill(transfers, state.transfers.length === 0 ? h('p', { class: 'empty' }, 'Nothing sent or received yet.') : state.transfers.slice(0, 50).map(transferCard));
    const chosen = to.value;
    fill(to, state.peers.contacts.map(c => h('option', { value: c.deviceId, selected: c.deviceId === chosen }, c.name)));
    send.disabled = state.peers.contacts.length === 0 || picked.length === 0;
  }

  put(main, [
    pageHeader('Files', 'Nothing lands on your disk until you accept it; every block is checked against its SHA-256.'),
    offersCard,
    section('Send',
      h('form', {
        class: 'send-form',
        onsubmit: async e => {
          e.preventDefault();
          if (picked.length === 0 || !to.value) return;
          const done = await act(send, () => sendFiles(to.value, picked, progress));
          if (done) { picked = []; pickedLine.textContent = 'Nothing chosen yet.'; }
          send.disabled = picked.length === 0;
        },
      },
      h('label', { class: 'stacked' }, 'To', to),
      h('div', { class: 'row-actions pickers' }, chooseFiles, chooseFolder, filePicker, folderPicker),
      pickedLine,
      h('div', { class: 'actions' }, send)),
      progress,
      h('p', { class: 'muted small' }, 'You can also drop files and folders onto a conversation.')),
    section('Transfers', transfers),
  ]);
  render();
  load('settings');
  return watch(['offers', 'transfers', 'peers', 'settings'], render);
}
