// The composer's microphone button: a click starts recording and the next click stops it, or hold it
// down and let go to stop. While recording, a live level (an AnalyserNode on the microphone) and the
// time; then the take opens in the waveform editor (voice-editor.js), which sends it.

import { h, icon } from '../dom.js';
import { voiceEditor } from './voice-editor.js';

/** A press longer than this is a hold: letting go stops the recording. */
const HOLD_MS = 500;
/** The page never records longer than a voice message may be (the node's cap: 10 min). */
const MAX_MS = 10 * 60 * 1000;
const MIME = 'audio/webm;codecs=opus';

const clockOf = ms => `${Math.floor(ms / 60000)}:${String(Math.floor(ms / 1000) % 60).padStart(2, '0')}`;

/** For conversation <key>: { button (for the composer's tools), panel (a row of the composer), stop() }; onSent(m) as the composer's. */
export function voiceRecorder({ key, onSent, onError }) {
  const level = h('meter', { class: 'voice-level', min: 0, max: 1, value: 0, 'aria-label': 'Microphone level' });
  const time = h('span', { class: 'voice-time' }, '0:00');
  const panel = h('div', { class: 'voice-panel', hidden: true });
  const button = h('button', {
    type: 'button', class: 'ghost icon-button voice-button', 'aria-label': 'Record a voice message', title: 'Record a voice message (click, or hold)', 'aria-pressed': 'false',
  }, icon('mic'));
  let take = null; // { recorder, stream, audio, started, frame, timer }
  let pressed = null; // { at, started: this press started the take }

  let starting = false;

  async function start() {
    if (starting || take) return false;
    starting = true;
    try {
      return await open();
    } finally {
      starting = false;
    }
  }

  async function open() {
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true } });
    } catch (e) {
      onError(`No microphone: ${e.message}`);
      return false;
    }
    const recorder = new MediaRecorder(stream, MediaRecorder.isTypeSupported(MIME) ? { mimeType: MIME } : undefined);
    const chunks = [];
    recorder.addEventListener('dataavailable', e => { if (e.data.size > 0) chunks.push(e.data); });
    const audio = new AudioContext();
    const analyser = audio.createAnalyser();
    analyser.fftSize = 1024;
    audio.createMediaStreamSource(stream).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    take = { recorder, stream, audio, started: performance.now(), chunks };
    const tick = () => {
      analyser.getFloatTimeDomainData(samples);
      level.value = Math.min(1, Math.sqrt(samples.reduce((s, v) => s + v * v, 0) / samples.length) * 4);
      const elapsed = performance.now() - take.started;
      time.textContent = clockOf(elapsed);
      if (elapsed >= MAX_MS) stop();
      else take.frame = requestAnimationFrame(tick);
    };
    take.frame = requestAnimationFrame(tick);
    recorder.start(250);
    button.setAttribute('aria-pressed', 'true');
    button.classList.add('recording');
    panel.replaceChildren(h('span', { class: 'voice-dot', 'aria-hidden': 'true' }), h('span', null, 'Recording'), time, level,
      h('button', { type: 'button', class: 'primary', onclick: () => stop() }, 'Stop'),
      h('button', { type: 'button', class: 'ghost', onclick: () => stop(false) }, 'Cancel'));
    panel.hidden = false;
    return true;
  }

  /** Ends the take; with `keep` it opens in the editor. */
  function stop(keep = true) {
    if (!take) return;
    const { recorder, stream, audio, frame, chunks } = take;
    take = null;
    cancelAnimationFrame(frame);
    button.setAttribute('aria-pressed', 'false');
    button.classList.remove('recording');
    recorder.addEventListener('stop', () => {
      stream.getTracks().forEach(t => t.stop());
      audio.close();
      if (keep && chunks.length > 0) edit(new Blob(chunks, { type: recorder.mimeType || 'audio/webm' }));
      else close();
    }, { once: true });
    recorder.stop();
  }

  function close() {
    panel.querySelector('audio')?.pause();
    panel.replaceChildren();
    panel.hidden = true;
  }

  function edit(blob) {
    const editor = voiceEditor({
      key, blob,
      onSent: m => { close(); onSent(m); },
      onDiscard: close,
      onRerecord: () => { close(); start(); },
    });
    panel.replaceChildren(editor);
    panel.hidden = false;
  }

  // A press starts a take; letting go after a hold ends it; a short press leaves it running until the next click.
  button.addEventListener('pointerdown', async e => {
    if (e.button !== 0) return;
    if (take) {
      pressed = null;
      stop();
      return;
    }
    pressed = { at: performance.now(), started: false };
    pressed.started = await start();
  });
  button.addEventListener('pointerup', () => {
    if (pressed?.started && take && performance.now() - pressed.at >= HOLD_MS) stop();
    pressed = null;
  });
  button.addEventListener('click', e => {
    if (e.detail !== 0) return; // pointer presses are handled above; this is the keyboard
    if (take) stop(); else start();
  });

  // Leaving the conversation ends a take in progress (the microphone is let go) and drops an unsent one.
  return { button, panel, stop: () => { stop(false); close(); } };
}
