// A voice message in the timeline: its waveform (the sender's values, nothing decoded to draw it) is
// the progress bar; a click on it seeks; the speed (1x, 1.5x, 2x) holds for every message; one plays
// at a time, and when one ends the next voice message of the conversation plays on.

import { h, icon, fill } from '../dom.js';
import { drawWave } from './waveform.js';

const SPEEDS = [1, 1.5, 2];
let speed = 1;
/** The player whose message is playing, so starting another stops it. */
let playing = null;
/** Each player's element → its controls, for playing on into the next one. */
const players = new WeakMap();

const clockOf = s => `${Math.floor(s / 60)}:${String(Math.floor(s) % 60).padStart(2, '0')}`;

/** The player for attachment `a` (kind voice, waveform and duration already checked), its bytes at `src`. */
export function voicePlayer(a, src) {
  const values = a.waveform.map(v => v / 255);
  const loudest = Math.max(...values) || 1;
  const shape = values.map(v => v / loudest);
  const seconds = a.durationMs / 1000;
  const audio = h('audio', { preload: 'none', src });
  const canvas = h('canvas', { class: 'voice-wave', role: 'slider', tabindex: '0', 'aria-label': 'Position in the voice message', 'aria-valuemin': '0', 'aria-valuemax': String(Math.round(seconds)) });
  const toggle = h('button', { type: 'button', class: 'voice-play', 'aria-label': 'Play voice message' }, icon('play'));
  const time = h('span', { class: 'voice-time' }, clockOf(seconds));
  const rate = h('button', { type: 'button', class: 'ghost voice-speed', 'aria-label': 'Playback speed' }, `${speed}x`);
  const root = h('div', { class: 'voice-player', dataset: { durationMs: String(a.durationMs) } }, toggle, canvas, time, rate, audio);

  const position = () => Math.min(1, audio.currentTime / (isFinite(audio.duration) ? audio.duration : seconds));
  function render() {
    drawWave(canvas, shape, position());
    canvas.setAttribute('aria-valuenow', String(Math.round(audio.currentTime)));
    time.textContent = clockOf(audio.paused && audio.currentTime === 0 ? seconds : audio.currentTime);
  }

  function play(from) {
    if (playing && playing !== controls) playing.pause();
    playing = controls;
    audio.playbackRate = speed;
    if (from != null) audio.currentTime = from;
    audio.play().catch(() => {});
  }
  const controls = { play, pause: () => audio.pause() };
  players.set(root, controls);

  toggle.addEventListener('click', () => (audio.paused ? play() : audio.pause()));
  canvas.addEventListener('click', e => {
    const box = canvas.getBoundingClientRect();
    play(((e.clientX - box.left) / box.width) * (isFinite(audio.duration) ? audio.duration : seconds));
  });
  canvas.addEventListener('keydown', e => {
    const step = { ArrowRight: 5, ArrowLeft: -5 }[e.key];
    if (step) audio.currentTime = Math.max(0, audio.currentTime + step);
  });
  rate.addEventListener('click', () => {
    speed = SPEEDS[(SPEEDS.indexOf(speed) + 1) % SPEEDS.length];
    audio.playbackRate = speed;
    document.querySelectorAll('.voice-speed').forEach(b => { b.textContent = `${speed}x`; });
  });
  audio.addEventListener('play', () => { fill(toggle, icon('pause')); toggle.setAttribute('aria-label', 'Pause voice message'); root.classList.add('playing'); });
  audio.addEventListener('pause', () => { fill(toggle, icon('play')); toggle.setAttribute('aria-label', 'Play voice message'); root.classList.remove('playing'); });
  audio.addEventListener('timeupdate', render);
  audio.addEventListener('ended', () => {
    if (playing === controls) playing = null;
    audio.currentTime = 0;
    render();
    nextPlayer(root)?.play(0);
  });
  new ResizeObserver(render).observe(canvas);
  return root;
}

/** The first voice message after this one in the conversation's list. */
function nextPlayer(root) {
  const list = root.closest('ol, ul');
  if (!list) return null;
  const all = [...list.querySelectorAll('.voice-player')];
  const next = all[all.indexOf(root) + 1];
  return next ? players.get(next) : null;
}
