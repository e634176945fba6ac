// The pre-call check: your camera's picture and a level meter for your microphone, before you ring
// anyone. Nothing leaves this page; the devices are let go when the check stops.

import { h, fill } from '../dom.js';

/** A card with a "Check camera and microphone" button; returns it and a function that stops a running check. */
export function deviceCheck() {
  const start = h('button', { class: 'ghost' }, 'Check camera and microphone');
  const stop = h('button', { class: 'ghost', hidden: true }, 'Stop the check');
  const preview = h('video', { class: 'check-preview', hidden: true, muted: true, autoplay: true, playsinline: true });
  const meter = h('meter', { class: 'check-level', min: 0, max: 1, value: 0, hidden: true, 'aria-label': 'Microphone level' });
  const result = h('p', { class: 'muted small', role: 'status' });
  let running = null;

  async function begin() {
    start.disabled = true;
    try {
      const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      const audio = new AudioContext();
      const analyser = Object.assign(audio.createAnalyser(), { fftSize: 512 });
      audio.createMediaStreamSource(media).connect(analyser);
      const samples = new Float32Array(analyser.fftSize);
      let loudest = 0;
      const timer = setInterval(() => {
        analyser.getFloatTimeDomainData(samples);
        const level = Math.sqrt(samples.reduce((sum, s) => sum + s * s, 0) / samples.length);
        loudest = Math.max(loudest, level);
        meter.value = Math.min(1, level * 4);
        meter.dataset.level = level.toFixed(4);
        result.textContent = `${media.getVideoTracks()[0]?.label || 'No camera'} · ${media.getAudioTracks()[0]?.label || 'no microphone'}`
          + (loudest > 0.005 ? ' · the microphone hears you' : ' · say something: the bar should move');
      }, 100);
      preview.srcObject = media;
      running = () => { clearInterval(timer); media.getTracks().forEach(t => t.stop()); audio.close(); preview.srcObject = null; };
      preview.hidden = meter.hidden = stop.hidden = false;
      start.hidden = true;
    } catch (e) {
      result.textContent = `The browser gave no camera or microphone: ${e.message}`;
    } finally {
      start.disabled = false;
    }
  }

  function end() {
    running?.();
    running = null;
    preview.hidden = meter.hidden = stop.hidden = true;
    start.hidden = false;
    fill(result);
  }

  start.addEventListener('click', begin);
  stop.addEventListener('click', end);
  const element = h('div', { class: 'device-check' }, h('div', { class: 'row-actions' }, start, stop), preview, meter, result);
  return { element, stop: end };
}
