// Videos: watch what a contact shares, streamed range by range through this node (nothing saved
// here), with automatic or chosen resolution; and choose what you share and with whom.

import { api, seg } from '../api.js';
import { h, put, fill, toast } from '../dom.js';
import { state, watch } from '../state.js';
import { bytes } from '../format.js';
import { pageHeader, section, act } from './common.js';
import { pickVariant, stepDown, StallWatch, measureThroughput, LONG_STALL_MS } from '../videos-abr.js';

// Rounded to the nearest second (9:59.6 is 10:00, as players show it), hours when there are any.
const minutes = s => {
  if (s == null) return '?';
  const whole = Math.round(s);
  const [hours, mins, secs] = [Math.floor(whole / 3600), Math.floor(whole / 60) % 60, whole % 60];
  const two = n => String(n).padStart(2, '0');
  return hours ? `${hours}:${two(mins)}:${two(secs)}` : `${mins}:${two(secs)}`;
};
// Two files at one resolution (an .mkv and an .mp4) are told apart by container and codec; a cut-short file says so.
const chipText = (v, all) => {
  const twin = all.some(o => o !== v && o.label === v.label);
  return [v.label, twin ? `${v.container} ${v.videoCodec}` : null, bytes(v.size), v.complete === false ? 'incomplete' : null].filter(Boolean).join(' · ');
};
const mbit = bps => `${(bps / 1e6).toFixed(bps < 1e7 ? 1 : 0)} Mbit/s`;
// The sharer makes poster frames in the background: while some are missing the list is asked again a few times.
const THUMBNAIL_RETRIES = 6;
const THUMBNAIL_RETRY_MS = 4000;
const posterOf = title => [...title.variants].reverse().find(v => v.thumbnail)?.thumbnail ?? null;

/** A title's poster frame (a JPEG the node checked is the one the list named), or a neutral placeholder until there is one. */
function poster(url, title) {
  if (!url) return h('div', { class: 'video-thumb placeholder', 'aria-hidden': 'true' });
  const img = h('img', { class: 'video-thumb', src: url, alt: `Frame from ${title}`, loading: 'lazy', decoding: 'async' });
  img.addEventListener('error', () => img.replaceWith(poster(null, title)), { once: true });
  return img;
}

export function mount(main, peerKey) {
  const picker = h('select', { 'aria-label': 'Whose videos' });
  const refresh = h('button', { class: 'ghost' }, 'Refresh');
  const library = h('ul', { class: 'video-list' });
  const unreadable = h('ul', { class: 'video-unreadable' });
  const player = createPlayer();
  const sharing = createSharing();
  let peer = peerKey;

  let posterRetry = null;
  let wasOnline = null;
  function renderPicker() {
    const contacts = state.peers.contacts;
    if (!peer && contacts.length) peer = (contacts.find(c => c.online) ?? contacts[0]).deviceId;
    // The library comes from the peer itself: ask again when it comes (back) online.
    const online = Boolean(contacts.find(c => c.deviceId === peer)?.online);
    if (wasOnline === false && online) list();
    wasOnline = online;
    fill(picker, contacts.length === 0 ? h('option', { value: '' }, 'No contacts yet')
      : contacts.map(c => h('option', { value: c.deviceId, selected: c.deviceId === peer }, `${c.name}${c.online ? '' : ' (offline)'}`)));
  }

  async function list() {
    clearTimeout(posterRetry);
    fill(library, h('li', { class: 'empty' }, 'Loading…'));
    fill(unreadable);
    if (!peer) { fill(library, h('li', { class: 'empty' }, 'Add a contact first; their shared videos show here.')); return; }
    try {
      const found = await api.get(`/api/peers/${seg(peer)}/videos`);
      awaitPosters(found, peer, THUMBNAIL_RETRIES);
      const name = state.peers.contacts.find(c => c.deviceId === peer)?.name ?? 'This contact';
      fill(library, found.titles.length === 0 ? h('li', { class: 'empty' }, `${name} shares no videos yet.`)
        : found.titles.map(title => titleCard(title, name)));
      if (found.unreadable.length) {
        fill(unreadable, h('li', { class: 'muted small' }, 'Not playable:'),
          found.unreadable.map(u => h('li', { class: 'muted small' }, `${u.file} (${bytes(u.size)}): ${u.error}`)));
      }
    } catch (e) {
      fill(library, h('li', { class: 'empty' }, e.message));
    }
  }

  /** Asks again for a list missing poster frames and puts those that arrived into their cards, without redrawing the rest. */
  function awaitPosters(found, from, retries) {
    if (retries === 0 || found.titles.every(posterOf)) return;
    posterRetry = setTimeout(async () => {
      let again;
      try { again = await api.get(`/api/peers/${seg(from)}/videos`); } catch { return; }
      if (from !== peer) return;
      for (const title of again.titles) {
        const card = [...library.children].find(li => li.dataset.title === title.title);
        const placeholder = card?.querySelector('.video-thumb.placeholder');
        if (placeholder && posterOf(title)) placeholder.replaceWith(poster(posterOf(title), title.title));
      }
      awaitPosters(again, from, retries - 1);
    }, THUMBNAIL_RETRY_MS);
  }

  function titleCard(title, owner) {
    const top = title.variants[title.variants.length - 1];
    const play = h('button', { class: 'primary', 'aria-label': `Play ${title.title}` }, 'Play');
    play.addEventListener('click', () => player.open(title, owner, null));
    return h('li', { class: 'video-card', dataset: { title: title.title } },
      poster(posterOf(title), title.title),
      h('div', { class: 'video-text' },
        h('strong', { class: 'video-title' }, title.title),
        h('small', { class: 'muted' }, `${minutes(top.duration)} · ${top.videoCodec}${top.audioCodec ? '/' + top.audioCodec : ''} · ${top.container}`),
        h('div', { class: 'chips' }, title.variants.map(v => {
          const chip = h('button', { class: 'chip', title: `${v.file}: ${v.width}×${v.height}, ${bytes(v.size)}` }, chipText(v, title.variants));
          chip.addEventListener('click', () => player.open(title, owner, v));
          return chip;
        }))),
      h('div', { class: 'row-actions' }, play));
  }

  picker.addEventListener('change', () => { peer = picker.value; location.replace(`#/videos/${seg(peer)}`); });
  refresh.addEventListener('click', list);

  put(main, [
    pageHeader('Videos', 'Watch videos stored on a contact’s computer. They stream through the encrypted link and are never saved on yours.'),
    player.element,
    section('Library', h('div', { class: 'inline-form' }, picker, refresh), library, unreadable),
    sharing.element,
  ]);
  renderPicker();
  list();
  const stops = [watch(['peers'], renderPicker), sharing.start()];
  return () => { clearTimeout(posterRetry); player.stop(); stops.forEach(s => s()); };
}

/** The player card: a <video> fed by the node's range streaming, a resolution menu, Stop. */
function createPlayer() {
  const video = h('video', { controls: true, playsinline: true, preload: 'auto' });
  const heading = h('h2');
  const resolution = h('select', { 'aria-label': 'Resolution' });
  const stopButton = h('button', { class: 'ghost' }, 'Stop');
  const status = h('p', { class: 'muted small', role: 'status' });
  const element = h('section', { class: 'card player', hidden: true }, heading, video,
    h('div', { class: 'inline-form player-controls' }, h('label', { class: 'stacked' }, 'Resolution', resolution), stopButton), status);
  const stalls = new StallWatch();
  let current = null; // { title, variant, auto }
  let started = false;
  let longStall = null;

  function use(variant, at, why) {
    current.variant = variant;
    element.dataset.variant = variant.label;
    started = false;
    stalls.reset();
    video.src = variant.stream;
    if (at > 0) video.addEventListener('loadedmetadata', () => { video.currentTime = at; }, { once: true });
    video.play().catch(() => {}); // started at once (not after the metadata) for the soonest first frame; refused autoplay leaves the controls
    fill(status, why);
    renderMenu();
  }

  function renderMenu() {
    const variants = current.title.variants;
    fill(resolution,
      h('option', { value: 'auto', selected: current.auto }, current.auto ? `Auto (${current.variant.label})` : 'Auto'),
      [...variants].reverse().map(v => h('option', { value: v.id, selected: !current.auto && v.id === current.variant.id }, `${v.label} · ${mbit(v.bitrate ?? 0)}`)));
  }

  async function open(title, owner, chosen) {
    stop();
    current = { title, variant: title.variants[0], auto: !chosen };
    element.hidden = false;
    fill(heading, `${title.title} · from ${owner}`);
    element.scrollIntoView({ block: 'nearest' });
    if (chosen) { use(chosen, 0, `Playing ${chosen.label}.`); return; }
    fill(status, 'Measuring the link…');
    try {
      const top = title.variants[title.variants.length - 1];
      const measured = await measureThroughput(top.stream, Math.min(1 << 20, top.size));
      if (current?.title !== title) return;
      element.dataset.measured = String(Math.round(measured));
      const picked = pickVariant(title.variants, measured);
      use(picked, 0, `Auto: ${picked.label} (link measured at ${mbit(measured)}).`);
    } catch (e) {
      if (current?.title === title) use(title.variants[0], 0, `Could not measure the link (${e.message}); starting low.`);
    }
  }

  /** Stops at once: the element lets go of its source, the node's streams end, the owner stops reading. */
  function stop() {
    clearTimeout(longStall);
    video.pause();
    video.removeAttribute('src');
    video.load();
    current = null;
    element.hidden = true;
    delete element.dataset.variant;
  }

  resolution.addEventListener('change', () => {
    if (!current) return;
    const at = video.currentTime;
    if (resolution.value === 'auto') {
      current.auto = true;
      renderMenu();
      return;
    }
    current.auto = false;
    const chosen = current.title.variants.find(v => v.id === resolution.value);
    use(chosen, at, `Switched to ${chosen.label} at ${minutes(at)}.`);
  });
  stopButton.addEventListener('click', stop);
  function stepDownAfterStalls(why) {
    clearTimeout(longStall);
    if (!current?.auto) return;
    const lower = stepDown(current.title.variants, current.variant);
    if (lower) use(lower, video.currentTime, `Auto: stepped down to ${lower.label} after ${why}.`);
  }
  video.addEventListener('playing', () => { started = true; clearTimeout(longStall); });
  video.addEventListener('waiting', () => {
    if (!current || !started || video.seeking || !current.auto) return;
    clearTimeout(longStall);
    longStall = setTimeout(() => { if (!video.paused && video.readyState < 3) stepDownAfterStalls('a long stall'); }, LONG_STALL_MS);
    if (stalls.note(performance.now())) stepDownAfterStalls('repeated stalls');
  });
  video.addEventListener('error', () => { if (current) fill(status, `Playback failed: ${video.error?.message || 'the video could not be loaded'}`); });
  window.addEventListener('pagehide', stop);
  return { element, open, stop };
}

/** The "your shared folder" card: share or unshare a folder, and who may watch. */
function createSharing() {
  const folder = h('input', { 'aria-label': 'Folder to share', class: 'mono', placeholder: '/home/you/Videos' });
  const share = h('button', { class: 'primary' }, 'Share');
  const unshare = h('button', { class: 'ghost' }, 'Stop sharing');
  const summary = h('p', { class: 'muted small' });
  // One control says who may watch; the per-contact ticks show only when it says "the contacts ticked".
  const who = h('select', { 'aria-label': 'Who may watch' },
    h('option', { value: 'all' }, 'Every contact'), h('option', { value: 'chosen' }, 'Only the contacts ticked below'));
  const people = h('ul', { class: 'toggle-list' });
  const mine = h('ul', { class: 'video-list own-videos', 'aria-label': 'Your shared videos' });
  let status = null;
  let mineRetry = null;
  // Access changes go one at a time, in the order made: a tick's answer arriving after "Every contact"'s showed the
  // state from before it (the ticks again, under "Every contact").
  let changes = Promise.resolve();
  const inTurn = work => (changes = changes.then(work, work));

  async function reload() {
    try { status = await api.get('/api/videos'); } catch (e) { fill(summary, e.message); return; }
    render();
    listMine();
  }

  /** What you share, as your contacts see it, each with its poster frame (made in the background: asked again a few times while some are missing). */
  async function listMine(retries = THUMBNAIL_RETRIES) {
    clearTimeout(mineRetry);
    if (!status?.folder) { fill(mine); return; }
    let own;
    try { own = await api.get('/api/videos/library'); } catch { return; }
    if (retries > 0 && !own.titles.every(t => t.variants.some(v => v.thumbnail))) mineRetry = setTimeout(() => listMine(retries - 1), THUMBNAIL_RETRY_MS);
    fill(mine, own.titles.map(t => {
      const top = [...t.variants].reverse().find(v => v.thumbnail) ?? t.variants[t.variants.length - 1];
      return h('li', { class: 'own-video', dataset: { title: t.title } },
        poster(top.thumbnail ? `/api/videos/library/${seg(top.id)}/thumbnail` : null, t.title),
        h('div', { class: 'video-text' }, h('strong', { class: 'video-title' }, t.title),
          h('small', { class: 'muted' }, t.variants.map(v => v.label).join(' · '))));
    }));
  }

  function render() {
    if (!status) return;
    fill(summary, status.folder ? `Sharing ${status.folder}: ${status.titles} title${status.titles === 1 ? '' : 's'}${status.unreadable ? `, ${status.unreadable} unreadable file(s)` : ''}.`
      : 'You are not sharing videos.');
    if (document.activeElement !== folder) folder.value = status.folder ?? '';
    unshare.hidden = !status.folder;
    const mode = status.everyone && !Object.values(status.rules).includes(false) ? 'all' : 'chosen';
    who.value = mode;
    people.hidden = mode === 'all';
    fill(people, state.peers.contacts.map(c => {
      const rule = status.rules[c.deviceId];
      const box = h('input', { type: 'checkbox', checked: rule ?? status.everyone });
      box.addEventListener('change', () => inTurn(() => change({ peer: c.deviceId, allowed: box.checked }, box)));
      return h('li', null, h('label', { class: 'toggle' }, box, h('span', null, `${c.name} may watch`)));
    }));
  }

  async function change(body, control) {
    const result = await act(control, () => api.post('/api/videos/access', body));
    if (result) { status = result; render(); }
  }

  who.addEventListener('change', () => {
    const everyone = who.value === 'all';
    return inTurn(async () => {
      // "Every contact" means everyone: denials from the ticks go too (read once the changes before this one are in).
      if (everyone) for (const [peer, allowed] of Object.entries(status.rules)) if (!allowed) await change({ peer, allowed: true }, who);
      await change({ peer: 'all', allowed: everyone }, who);
    });
  });
  unshare.addEventListener('click', async () => { const r = await act(unshare, () => api.post('/api/videos/unshare')); if (r) { status = r; render(); listMine(); } });
  const element = section('Your shared folder', summary, h('form', {
    class: 'inline-form',
    onsubmit: async e => {
      e.preventDefault();
      if (!folder.value.trim()) return;
      const r = await act(share, () => api.post('/api/videos/share', { folder: folder.value.trim() }));
      if (r) { status = r; folder.blur(); render(); listMine(); toast('Folder shared with your contacts'); }
    },
  }, folder, share, unshare),
  h('label', { class: 'stacked' }, 'Who may watch', who), people, mine);

  return { element, start: () => { reload(); const stop = watch(['peers'], render); return () => { clearTimeout(mineRetry); stop(); }; } };
}
