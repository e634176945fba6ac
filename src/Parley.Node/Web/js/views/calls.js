// Calls: ring a contact (voice, or voice and video); in a call, the tiles (the other side's video
// and shared screen, your preview) with names and a speaking light, and the controls: mute,
// camera, share screen, hang up, devices and quality.

import { h, put, fill } from '../dom.js';
import { state, watch } from '../state.js';
import { pageHeader, section, act } from './common.js';
import { calls, onCallChange, onCallStats, placeCall, hangUp } from '../calls/session.js';

export function mount(main) {
  const body = h('div', { class: 'calls' });
  put(main, [pageHeader('Calls', 'Voice and video with a contact, encrypted end to end, straight between your two computers.'), body]);
  let shown = null;
  function render() {
    const mode = calls.engine ? 'active' : calls.call ? 'ringing' : 'idle';
    if (mode === 'active' && shown === calls.engine) { refreshActive(); return; }
    shown = mode === 'active' ? calls.engine : null;
    fill(body, mode === 'active' ? activeCall() : mode === 'ringing' ? ringing() : idle());
    // The call's <video> elements outlive the view: leaving it took them out of the page, which
    // paused them, and putting them back does not play them again by itself.
    if (mode === 'active') body.querySelectorAll('video').forEach(v => v.play().catch(() => {}));
  }
  let refreshActive = () => {};

  function idle() {
    const list = h('ul', { class: 'peer-list' });
    const contacts = state.peers.contacts;
    fill(list, contacts.length === 0 ? h('li', { class: 'empty' }, 'Add a contact first.') : contacts.map(c => {
      const voice = h('button', { class: 'ghost', disabled: !c.online, 'aria-label': `Call ${c.name}` }, 'Call');
      const video = h('button', { class: 'primary', disabled: !c.online, 'aria-label': `Video call ${c.name}` }, 'Video call');
      voice.addEventListener('click', () => act(voice, () => placeCall(c.deviceId, false)));
      video.addEventListener('click', () => act(video, () => placeCall(c.deviceId, true)));
      return h('li', { class: 'peer-row' }, h('div', { class: 'peer-text' }, h('strong', null, c.name), h('small', null, c.online ? 'online' : 'offline')), h('div', { class: 'row-actions' }, voice, video));
    }));
    const ended = calls.ended;
    return [
      ended ? h('p', { class: 'notice-box', role: 'status' }, `Call with ${ended.peerName} ended: ${ended.reason}.`) : null,
      section('Call a contact', list),
    ];
  }

  function ringing() {
    const cancel = h('button', { class: 'danger' }, 'Cancel');
    cancel.addEventListener('click', () => act(cancel, () => hangUp('cancelled')));
    return section(`Calling ${calls.call.peerName}…`, h('p', { class: 'muted', role: 'status' }, 'Ringing. Nothing is captured until they answer.'), cancel);
  }

  function activeCall() {
    const engine = calls.engine;
    const call = engine.call;
    const remote = tile(call.peerName, engine.remote.video.element, 'remote');
    const screen = tile(`${call.peerName}’s screen`, engine.remote.screen.element, 'screen');
    const local = tile('You', engine.localVideo, 'local');
    const mute = h('button', { class: 'ghost', 'aria-pressed': 'false' }, 'Mute');
    const camera = h('button', { class: 'ghost', 'aria-pressed': 'false', hidden: !call.video }, 'Camera off');
    const share = h('button', { class: 'ghost' }, 'Share screen');
    const hang = h('button', { class: 'danger' }, 'Hang up');
    const mic = h('select', { 'aria-label': 'Microphone' });
    const cam = h('select', { 'aria-label': 'Camera', hidden: !call.video });
    const bitrate = h('select', { 'aria-label': 'Audio bitrate' }, [16000, 32000, 64000].map(b => h('option', { value: b, selected: b === engine.quality.audioBitrate }, `${b / 1000} kbit/s`)));
    const rate = h('select', { 'aria-label': 'Sample rate' }, [16000, 24000, 48000].map(r => h('option', { value: r, selected: r === engine.quality.sampleRate }, `${r / 1000} kHz`)));
    const height = h('select', { 'aria-label': 'Video resolution cap', hidden: !call.video }, [360, 480, 720, 1080].map(p => h('option', { value: p, selected: p === engine.quality.maxHeight }, `up to ${p}p`)));
    const status = h('p', { class: 'muted small', role: 'status' });

    mute.addEventListener('click', () => engine.setMuted(!engine.muted));
    camera.addEventListener('click', () => engine.setCamera(!engine.cameraOn));
    share.addEventListener('click', () => act(share, () => engine.sharing ? engine.stopShare() : engine.startShare()));
    hang.addEventListener('click', () => act(hang, () => hangUp()));
    mic.addEventListener('change', () => act(mic, () => engine.changeDevices({ mic: mic.value })));
    cam.addEventListener('change', () => act(cam, () => engine.changeDevices({ camera: cam.value })));
    for (const [control, key] of [[bitrate, 'audioBitrate'], [rate, 'sampleRate'], [height, 'maxHeight']]) {
      control.addEventListener('change', () => act(control, () => engine.changeQuality({ [key]: Number(control.value) })));
    }
    navigator.mediaDevices.enumerateDevices().then(devices => {
      fill(mic, devices.filter(d => d.kind === 'audioinput').map((d, i) => h('option', { value: d.deviceId }, d.label || `Microphone ${i + 1}`)));
      fill(cam, devices.filter(d => d.kind === 'videoinput').map((d, i) => h('option', { value: d.deviceId }, d.label || `Camera ${i + 1}`)));
    });

    // Runs on every state change and stats update (ten times a second): it touches the page only
    // where something changed, because every layout it causes costs the main thread.
    let statusAt = 0;
    refreshActive = () => {
      const s = engine.stats;
      setText(mute, engine.muted ? 'Unmute' : 'Mute');
      mute.setAttribute('aria-pressed', String(engine.muted));
      setText(camera, engine.cameraOn ? 'Camera off' : 'Camera on');
      camera.setAttribute('aria-pressed', String(!engine.cameraOn));
      setText(share, engine.sharing ? 'Stop sharing' : 'Share screen');
      remote.dataset.frames = String(s.decoded.video);
      remote.dataset.level = s.remoteLevel.toFixed(4);
      remote.classList.toggle('speaking', s.remoteLevel > 0.01);
      local.classList.toggle('speaking', !engine.muted && s.localLevel > 0.01);
      screen.dataset.frames = String(s.decoded.screen);
      screen.hidden = s.decoded.screen === 0 || !engine.remoteSharing();
      if (performance.now() - statusAt >= 1000) {
        statusAt = performance.now();
        setText(status, `${call.codec.toUpperCase()} · sent ${s.sent.video} video, ${s.sent.audio} audio frames · shown ${s.decoded.video}`
          + (s.sent.video ? ` · a frame takes ${s.encodeMs.toFixed(0)} ms to encode, ${s.decodeMs.toFixed(0)} ms to decode` : ''));
      }
    };
    refreshActive();
    return [
      h('div', { class: 'tiles' }, remote, screen, local),
      h('div', { class: 'call-controls' }, mute, camera, share, hang),
      status,
      h('details', { class: 'card' }, h('summary', null, 'Devices and quality'),
        h('div', { class: 'inline-form' }, h('label', { class: 'stacked' }, 'Microphone', mic), h('label', { class: 'stacked', hidden: !call.video }, 'Camera', cam)),
        h('div', { class: 'inline-form' }, h('label', { class: 'stacked' }, 'Audio bitrate', bitrate), h('label', { class: 'stacked' }, 'Sample rate', rate),
          h('label', { class: 'stacked', hidden: !call.video }, 'Video', height))),
    ];
  }

  render();
  const stops = [onCallChange(render), onCallStats(() => refreshActive()), watch(['peers'], () => { if (!calls.call) render(); })];
  return () => stops.forEach(s => s());
}

function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

function tile(name, media, kind) {
  return h('figure', { class: `tile ${kind}`, dataset: { frames: '0', level: '0' } }, media, h('figcaption', null, h('span', { class: 'speaking-light', 'aria-hidden': 'true' }), name));
}
