// Files in a conversation: the attach button (any file as an attachment, 1:1 or room), the transfer
// pickers beside the composer (1:1), and files dropped on the pane (1:1: a transfer; a room: each an
// attachment). Transfers are rows of the timeline (views/timeline-transfers.js).

import { h, icon, toast } from '../dom.js';
import { filesFromDrop, filesFromInput, sendFiles } from '../upload.js';
import { sendAttachment } from '../attach.js';

/** For conversation <key>: { progress, tools (composer buttons), attach(pane) }; onSent(m) for an attachment sent. */
export function conversationFiles(key, room, onSent) {
  const progress = h('p', { class: 'composer-progress', hidden: true });
  const attachPicker = h('input', { type: 'file', class: 'attach-picker', hidden: true });
  const filePicker = h('input', { type: 'file', multiple: true, hidden: true });
  const folderPicker = h('input', { type: 'file', webkitdirectory: true, hidden: true });

  async function attachAll(files) {
    for (const file of files) {
      try {
        const m = await sendAttachment(key, file, progress);
        if (m) onSent(m);
      } catch (e) {
        toast(e.message, 'error');
      }
    }
  }

  async function sendPicked(files) {
    if (room) {
      attachAll(files.map(f => f.file));
      return;
    }
    try {
      await sendFiles(key, files, progress);
    } catch (e) {
      toast(e.message, 'error');
    }
  }

  function attach(pane) {
    pane.addEventListener('dragover', e => { e.preventDefault(); pane.classList.add('dropping'); });
    pane.addEventListener('dragleave', e => { if (!pane.contains(e.relatedTarget)) pane.classList.remove('dropping'); });
    pane.addEventListener('drop', async e => {
      e.preventDefault();
      pane.classList.remove('dropping');
      sendPicked(await filesFromDrop(e.dataTransfer));
    });
  }

  attachPicker.addEventListener('change', () => { attachAll([...attachPicker.files]); attachPicker.value = ''; });
  filePicker.addEventListener('change', () => { sendPicked(filesFromInput(filePicker)); filePicker.value = ''; });
  folderPicker.addEventListener('change', () => { sendPicked(filesFromInput(folderPicker)); folderPicker.value = ''; });
  const tools = [
    h('button', { type: 'button', class: 'ghost icon-button', 'aria-label': 'Attach a file', title: 'Attach a file or photo', onclick: () => attachPicker.click() }, icon('attach')),
    attachPicker,
    room ? null : [
      h('button', { type: 'button', class: 'ghost icon-button', 'aria-label': 'Send files', title: 'Send files as a transfer', onclick: () => filePicker.click() }, icon('files')),
      h('button', { type: 'button', class: 'ghost icon-button', 'aria-label': 'Send a folder', title: 'Send a folder', onclick: () => folderPicker.click() }, icon('folder')),
      filePicker, folderPicker,
    ],
  ];
  return { progress, tools, attach };
}
