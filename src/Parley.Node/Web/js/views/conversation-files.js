// Files in a 1:1 conversation: the pickers beside the composer and files dropped on the pane. The
// transfers themselves are rows of the timeline (views/timeline-transfers.js). Rooms take no files.

import { h, icon, toast } from '../dom.js';
import { filesFromDrop, filesFromInput, sendFiles } from '../upload.js';

/** For conversation <key>: { progress, tools (composer buttons), attach(pane) }. */
export function conversationFiles(key, room) {
  const progress = h('p', { class: 'composer-progress', hidden: true });
  const filePicker = h('input', { type: 'file', multiple: true, hidden: true });
  const folderPicker = h('input', { type: 'file', webkitdirectory: true, hidden: true });

  async function sendPicked(files) {
    if (room) {
      toast('Files go to one person at a time: open a 1:1 conversation to send them.', 'error');
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

  filePicker.addEventListener('change', () => { sendPicked(filesFromInput(filePicker)); filePicker.value = ''; });
  folderPicker.addEventListener('change', () => { sendPicked(filesFromInput(folderPicker)); folderPicker.value = ''; });
  const tools = room ? [] : [
    h('button', { type: 'button', class: 'ghost icon-button', 'aria-label': 'Send files', title: 'Send files', onclick: () => filePicker.click() }, icon('attach')),
    h('button', { type: 'button', class: 'ghost icon-button', 'aria-label': 'Send a folder', title: 'Send a folder', onclick: () => folderPicker.click() }, icon('folder')),
    filePicker, folderPicker,
  ];
  return { progress, tools, attach };
}
