// The box a message is written in. It empties the moment a message is sent, not when the node
// answers (50–130 ms later), so an answer never erases what was typed meanwhile; sends go one after
// another, in typed order. It also replies (a quote above the box) and edits (the text in the box).

import { api, seg } from '../api.js';
import { h, icon } from '../dom.js';
import { utf8Length, bytes } from '../format.js';

/** Largest message the node takes: 64 KiB of UTF-8. */
const MAX_MESSAGE_BYTES = 65536;

/**
 * key: the conversation; placeholder; tools: buttons before the box; onSent(m): the node's answer.
 * Returns { form, error, focus(), reply(m), edit(m) }.
 */
export function composer({ key, placeholder, tools = [], onSent }) {
  const error = h('p', { class: 'composer-error', role: 'alert', hidden: true });
  const text = h('textarea', { rows: 1, placeholder, 'aria-label': 'Message', enterkeyhint: 'send' });
  const modeText = h('span', { class: 'composer-mode-text' });
  const mode = h('div', { class: 'composer-mode', hidden: true },
    modeText, h('button', { type: 'button', class: 'ghost', 'aria-label': 'Cancel', onclick: () => setMode(null) }, '✕'));
  let current = null; // { kind: 'reply' | 'edit', m }
  let sending = Promise.resolve();

  function setMode(next) {
    const wasEdit = current?.kind === 'edit';
    current = next;
    mode.hidden = !next;
    if (next) modeText.textContent = next.kind === 'edit' ? 'Editing your message' : `Replying to: ${next.m.text}`;
    if (next?.kind === 'edit') text.value = next.m.text;
    else if (wasEdit) text.value = '';
    grow();
    text.focus();
  }

  function showError(message) {
    error.textContent = message;
    error.hidden = !message;
  }

  function grow() {
    text.style.height = 'auto';
    text.style.height = `${Math.min(text.scrollHeight, 160)}px`;
  }

  function send() {
    const body = text.value;
    if (body.trim() === '') return;
    const size = utf8Length(body);
    if (size > MAX_MESSAGE_BYTES) {
      showError(`This message is ${bytes(size)}; the limit is 64 KiB. Shorten it or send it as a file.`);
      return;
    }
    const as = current;
    current = null;
    mode.hidden = true;
    text.value = '';
    grow();
    sending = sending.then(() => post(body, as));
  }

  async function post(body, as) {
    try {
      const m = as?.kind === 'edit'
        ? await api.post(`/api/chat/${seg(key)}/${as.m.id}/edit`, { text: body })
        : await api.post(`/api/chat/${seg(key)}`, as?.kind === 'reply' ? { text: body, replyTo: as.m.id } : { text: body });
      showError('');
      onSent(m);
    } catch (e) {
      // Not sent: the text (and what it replied to or edited) comes back, ahead of anything typed since.
      text.value = text.value ? `${body}\n${text.value}` : body;
      if (as && !current) {
        current = as;
        mode.hidden = false;
      }
      grow();
      showError(e.message);
    }
  }

  text.addEventListener('keydown', e => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send();
    } else if (e.key === 'Escape' && current) {
      setMode(null);
    }
  });
  text.addEventListener('input', () => {
    grow();
    if (!error.hidden && utf8Length(text.value) <= MAX_MESSAGE_BYTES) showError('');
  });

  const form = h('form', { class: 'composer', onsubmit: e => { e.preventDefault(); send(); } },
    mode, tools, text, h('button', { class: 'primary icon-button', 'aria-label': 'Send' }, icon('send')));
  return {
    form, error,
    focus: () => text.focus(),
    setPlaceholder: p => { text.placeholder = p; },
    reply: m => setMode({ kind: 'reply', m }),
    edit: m => setMode({ kind: 'edit', m }),
  };
}
