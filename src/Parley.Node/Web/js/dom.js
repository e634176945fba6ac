// Building the page. Every piece of text, above all text a peer chose, goes in as a text node:
// nothing here parses HTML, so a name like <img onerror=…> is shown as the characters it is.

/** h('button', { class: 'primary', onclick }, 'Send') → a <button> element. */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value == null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (['value', 'checked', 'disabled', 'selected', 'max', 'multiple', 'webkitdirectory'].includes(key)) el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  put(el, children);
  return el;
}

/** Appends children: nodes as they are, anything else as text. */
export function put(el, children) {
  for (const child of [children].flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  return put(el, children);
}

const ICONS = {
  chats: 'M4 5h16v11H8l-4 4z',
  peers: 'M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm-7 9a7 7 0 0 1 14 0M17 11a3 3 0 1 0 0-6M18 14a6 6 0 0 1 4 6',
  rooms: 'M5 9h14M5 15h14M10 4 8 20M16 4l-2 16',
  files: 'M4 5h6l2 2h8v12H4z',
  videos: 'M3 6h18v12H3zM10 9v6l5-3z',
  calls: 'M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a1 1 0 0 1-1 1A16 16 0 0 1 4 5a1 1 0 0 1 1-1z',
  settings: 'M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM19 12l2-1-1-3-2 .5-1.5-1.5L17 5l-3-1-1 2h-2L10 4 7 5l.5 2L6 8.5 4 8l-1 3 2 1v0l-2 1 1 3 2-.5L7.5 17 7 19l3 1 1-2h2l1 2 3-1-.5-2 1.5-1.5 2 .5 1-3z',
  home: 'M3 11 12 4l9 7v9h-6v-6H9v6H3z',
  attach: 'M16 7v9a4 4 0 0 1-8 0V6a3 3 0 0 1 6 0v9a1 1 0 0 1-2 0V7',
  folder: 'M4 5h6l2 2h8v12H4zM12 10v6M9 13h6',
  send: 'M4 12 20 4l-6 16-3-7z',
  back: 'M15 5l-7 7 7 7',
  copy: 'M8 8h11v11H8zM5 16V5h11',
  invite: 'M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm-7 9a7 7 0 0 1 14 0M19 8v6M16 11h6',
  mic: 'M12 3a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3zM5 11a7 7 0 0 0 14 0M12 18v3',
  play: 'M8 5v14l11-7z',
  pause: 'M8 5v14M16 5v14',
};

/** A small line icon (decorative: hidden from screen readers; the control carries the label). */
export function icon(name) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.dataset.icon = name;
  svg.setAttribute('class', 'icon');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', ICONS[name]);
  svg.append(path);
  return svg;
}

/** The first letter of a name on a coloured disc; the colour follows the device ID. */
export function avatar(name, id) {
  let hash = 0;
  for (const c of id ?? name ?? '') hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  const letter = [...(name ?? '?').trim()][0]?.toUpperCase() ?? '?';
  return h('span', { class: `avatar hue-${hash % 8}`, 'aria-hidden': 'true' }, letter);
}

/** A short message at the bottom of the screen; errors stay longer. A click dismisses it. */
export function toast(text, kind = 'info') {
  const box = document.getElementById('toasts');
  const item = h('div', { class: `toast ${kind}`, onclick: () => item.remove() }, text);
  box.append(item);
  setTimeout(() => item.remove(), kind === 'error' ? 8000 : 4000);
}

/** Removes error toasts: what failed on a view left, or before the node came back, is no longer news. */
export function clearErrorToasts() {
  document.querySelectorAll('#toasts .toast.error').forEach(t => t.remove());
}

/** A modal dialog with a form; resolves with the submitted values, or null when dismissed. */
export function ask({ title, body, fields = [], confirm = 'OK', danger = false }) {
  return new Promise(resolve => {
    const inputs = fields.map(f => h('input', { name: f.name, value: f.value ?? '', required: f.required ?? true, 'aria-label': f.label, placeholder: f.placeholder ?? '' }));
    const form = h('form', { method: 'dialog' },
      h('h2', null, title),
      body && h('div', { class: 'dialog-body' }, body),
      fields.map((f, i) => h('label', null, f.label, inputs[i])),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'ghost', onclick: () => dialog.close('') }, 'Cancel'),
        h('button', { class: danger ? 'danger' : 'primary', value: 'ok' }, confirm)));
    const dialog = h('dialog', null, form);
    dialog.addEventListener('close', () => {
      const ok = dialog.returnValue === 'ok';
      dialog.remove();
      resolve(ok ? Object.fromEntries(inputs.map(i => [i.name, i.value])) : null);
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** Copies text and says so. */
export async function copy(text, what) {
  try {
    await navigator.clipboard.writeText(text);
    toast(`${what} copied`);
  } catch {
    toast(`Select the ${what.toLowerCase()} and copy it`, 'error');
  }
}
