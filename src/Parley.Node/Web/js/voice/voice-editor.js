// The waveform editor of a take: play it, drag the start and end handles to keep part of it, cut the
// silence at both ends with one click, record again, discard, or send. Sending uploads the take as it
// was recorded with the kept part (trimStartMs, trimEndMs): the node trims while it encodes.

import { api, seg } from '../api.js';
import { h } from '../dom.js';
import { drawWave, peaksOf, soundSpan } from './waveform.js';

const BARS = 160;
/** The kept part is never shorter than this. */
const MIN_KEEP_S = 0.2;

const secondsText = s => `${Math.floor(s / 60)}:${(s % 60).toFixed(1).padStart(4, '0')}`;

/** { key, blob (the take), onSent(m), onDiscard(), onRerecord() } → the editor's element. */
export function voiceEditor({ key, blob, onSent, onDiscard, onRerecord }) {
  const canvas = h('canvas', { class: 'voice-edit-wave', 'aria-label': 'Waveform of the take: drag the start and end handles to trim', role: 'img' });
  const range = h('span', { class: 'voice-range' }, 'loading…');
  const error = h('span', { class: 'voice-error', role: 'alert' });
  const url = URL.createObjectURL(blob);
  const audio = h('audio', { src: url, preload: 'auto' });
  const play = h('button', { type: 'button', class: 'ghost', disabled: true }, 'Play');
  const cut = h('button', { type: 'button', class: 'ghost', disabled: true }, 'Cut silence');
  const send = h('button', { type: 'button', class: 'primary', disabled: true }, 'Send');
  const root = h('div', { class: 'voice-editor' }, canvas,
    h('div', { class: 'voice-editor-bar' }, play, range, cut,
      h('button', { type: 'button', class: 'ghost', onclick: () => { done(); onRerecord(); } }, 'Re-record'),
      h('button', { type: 'button', class: 'ghost', onclick: () => { done(); onDiscard(); } }, 'Discard'),
      send),
    error, audio);
  let peaks = new Float32Array(BARS);
  let duration = 0;
  let keep = [0, 1]; // fractions of the take
  let dragging = null; // 0: the start handle, 1: the end handle

  function render() {
    const [from, to] = keep.map(f => f * duration);
    range.textContent = `${secondsText(from)} – ${secondsText(to)} (${(to - from).toFixed(1)} s)`;
    root.dataset.startMs = String(Math.round(from * 1000));
    root.dataset.endMs = String(Math.round(to * 1000));
    const played = audio.paused ? 0 : audio.currentTime / duration;
    const loudest = Math.max(...peaks) || 1;
    drawWave(canvas, Array.from(peaks, p => p / loudest), played, keep);
    const g = canvas.getContext('2d');
    g.fillStyle = getComputedStyle(canvas).getPropertyValue('--accent').trim() || '#4f46e5';
    for (const f of keep) g.fillRect(Math.min(canvas.clientWidth - 3, f * canvas.clientWidth), 0, 3, canvas.clientHeight);
  }

  function setKeep(from, to) {
    const min = duration > 0 ? MIN_KEEP_S / duration : 0;
    from = Math.max(0, Math.min(from, 1 - min));
    to = Math.min(1, Math.max(to, from + min));
    keep = [from, to];
    render();
  }

  const fractionAt = e => {
    const box = canvas.getBoundingClientRect();
    return Math.max(0, Math.min(1, (e.clientX - box.left) / box.width));
  };
  canvas.addEventListener('pointerdown', e => {
    const f = fractionAt(e);
    dragging = Math.abs(f - keep[0]) <= Math.abs(f - keep[1]) ? 0 : 1;
    canvas.setPointerCapture(e.pointerId);
    move(f);
  });
  canvas.addEventListener('pointermove', e => { if (dragging != null) move(fractionAt(e)); });
  canvas.addEventListener('pointerup', () => { dragging = null; });
  function move(f) {
    if (dragging === 0) setKeep(f, keep[1]); else setKeep(keep[0], f);
  }

  play.addEventListener('click', () => {
    if (!audio.paused) {
      audio.pause();
      return;
    }
    audio.currentTime = keep[0] * duration;
    audio.play();
  });
  audio.addEventListener('play', () => { play.textContent = 'Pause'; });
  audio.addEventListener('pause', () => { play.textContent = 'Play'; render(); });
  audio.addEventListener('timeupdate', () => {
    if (audio.currentTime >= keep[1] * duration) audio.pause();
    render();
  });
  cut.addEventListener('click', () => setKeep(...soundSpan(peaks)));

  send.addEventListener('click', async () => {
    send.disabled = true;
    error.textContent = '';
    const form = new FormData();
    form.append('audio', blob, 'recording.webm');
    if (keep[0] > 0) form.append('trimStartMs', root.dataset.startMs);
    if (keep[1] < 1) form.append('trimEndMs', root.dataset.endMs);
    try {
      const m = await api.post(`/api/voice/${seg(key)}`, form);
      done();
      onSent(m);
    } catch (e) {
      error.textContent = e.message;
      send.disabled = false;
    }
  });

  function done() {
    audio.pause();
    URL.revokeObjectURL(url);
  }

  (async () => {
    try {
      const context = new AudioContext();
      const buffer = await context.decodeAudioData(await blob.arrayBuffer());
      context.close();
      duration = buffer.duration;
      peaks = peaksOf(buffer, BARS);
      for (const b of [play, cut, send]) b.disabled = false;
      root.dataset.durationMs = String(Math.round(duration * 1000));
      render();
    } catch (e) {
      error.textContent = `This take cannot be read: ${e.message}`;
    }
  })();
  new ResizeObserver(() => { if (duration > 0) render(); }).observe(canvas);
  return root;
}
