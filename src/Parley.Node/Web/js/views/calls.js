// Calls: ring a contact (voice, or voice and video) after checking your camera and microphone; in
// a call, the tiles (the other side's video and shared screen, your preview; avatars and a timer
// in a voice call) with names and a speaking light, any of them large (spotlight) or full screen,
// and the controls: mute, camera, share screen, hang up; devices, speaker, quality and the media
// counters behind "Details".

import { h, put, fill, avatar } from '../dom.js';
import { state, watch } from '../state.js';
import { pageHeader, section, act } from './common.js';
import { calls, onCallChange, onCallStats, placeCall, hangUp, chooseSpeaker, elapsed, prefersWebRtcEngine, preferWebRtcEngine } from '../calls/session.js';
import { deviceCheck } from '../calls/device-check.js';

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
  const check = deviceCheck();

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
    const engine = h('input', { type: 'checkbox', checked: prefersWebRtcEngine() });
    engine.addEventListener('change', () => preferWebRtcEngine(engine.checked));
    const engineChoice = h('label', { class: 'check' }, engine,
      ' Use Chromium’s WebRTC engine when the other side does too (less CPU; falls behind where packets are lost)');
    return [
      ended ? h('p', { class: 'notice-box', role: 'status' }, `Call with ${ended.peerName} ended: ${ended.reason}.`) : null,
      section('Call a contact', list),
      section('Before you call', check.element, engineChoice),
    ];
  }

  function ringing() {
    const cancel = h('button', { class: 'danger' }, 'Cancel');
    cancel.addEventListener('click', () => act(cancel, () => hangUp('cancelled')));
    return section(`Calling ${calls.call.peerName}…`, h('p', { class: 'muted', role: 'status' }, 'Ringing. Nothing is captured until they answer.'), cancel);
  }

  function activeCall() {
    check.stop(); // the call takes the devices
    const engine = calls.engine;
    const call = engine.call;
    const me = state.status;
    // A voice call has no pictures: each side is its avatar, not a black tile.
    const remote = tile(call.peerName, call.video ? engine.remote.video.element : avatar(call.peerName, call.peer), call.video ? 'remote' : 'remote voice');
    const screen = tile(`${call.peerName}’s screen`, engine.remote.screen.element, 'screen');
    const local = tile('You', call.video ? engine.localVideo : avatar(me?.name ?? 'You', me?.deviceId), call.video ? 'local' : 'local voice');
    const tiles = h('div', { class: 'tiles' }, remote, screen, local);
    for (const t of [remote, screen]) spotlightControls(t, tiles);
    const timer = h('p', { class: 'call-timer', role: 'timer', 'aria-label': 'Call time' }, elapsed());
    const mute = h('button', { class: 'ghost', 'aria-pressed': 'false' }, 'Mute');
    const camera = h('button', { class: 'ghost', 'aria-pressed': 'false', hidden: !call.video }, 'Camera off');
    const share = h('button', { class: 'ghost' }, 'Share screen');
    const hang = h('button', { class: 'danger' }, 'Hang up');
    const mic = h('select', { 'aria-label': 'Microphone' });
    const cam = h('select', { 'aria-label': 'Camera', hidden: !call.video });
    const bitrate = h('select', { 'aria-label': 'Audio bitrate' }, [16000, 32000, 64000].map(b => h('option', { value: b, selected: b === engine.quality.audioBitrate }, `${b / 1000} kbit/s`)));
    const rate = h('select', { 'aria-label': 'Sample rate' }, [16000, 24000, 48000].map(r => h('option', { value: r, selected: r === engine.quality.sampleRate }, `${r / 1000} kHz`)));
    const height = h('select', { 'aria-label': 'Video resolution cap', hidden: !call.video }, [360, 480, 720, 1080].map(p => h('option', { value: p, selected: p === engine.quality.maxHeight }, `up to ${p}p`)));
    const speaker = h('select', { 'aria-label': 'Speaker' }, h('option', { value: '' }, 'System default'));
    const canChooseSpeaker = 'setSinkId' in AudioContext.prototype;
    const status = h('p', { class: 'muted small', role: 'status' });

    mute.addEventListener('click', () => engine.setMuted(!engine.muted));
    camera.addEventListener('click', () => engine.setCamera(!engine.cameraOn));
    share.addEventListener('click', () => act(share, () => engine.sharing ? engine.stopShare() : engine.startShare()));
    hang.addEventListener('click', () => act(hang, () => hangUp()));
    mic.addEventListener('change', () => act(mic, () => engine.changeDevices({ mic: mic.value })));
    speaker.addEventListener('change', () => act(speaker, () => chooseSpeaker(speaker.value)));
    cam.addEventListener('change', () => act(cam, () => engine.changeDevices({ camera: cam.value })));
    for (const [control, key] of [[bitrate, 'audioBitrate'], [rate, 'sampleRate'], [height, 'maxHeight']]) {
      control.addEventListener('change', () => act(control, () => engine.changeQuality({ [key]: Number(control.value) })));
    }
    navigator.mediaDevices.enumerateDevices().then(devices => {
      fill(mic, devices.filter(d => d.kind === 'audioinput').map((d, i) => h('option', { value: d.deviceId }, d.label || `Microphone ${i + 1}`)));
      fill(cam, devices.filter(d => d.kind === 'videoinput').map((d, i) => h('option', { value: d.deviceId }, d.label || `Camera ${i + 1}`)));
      put(speaker, devices.filter(d => d.kind === 'audiooutput' && d.deviceId !== 'default')
        .map((d, i) => h('option', { value: d.deviceId, selected: d.deviceId === calls.speaker }, d.label || `Speaker ${i + 1}`)));
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
      local.dataset.sentHeight = String(s.sentHeight ?? 0);
      remote.dataset.level = s.remoteLevel.toFixed(4);
      remote.classList.toggle('speaking', s.remoteLevel > 0.01);
      local.classList.toggle('speaking', !engine.muted && s.localLevel > 0.01);
      screen.dataset.frames = String(s.decoded.screen);
      screen.hidden = s.decoded.screen === 0 || !engine.remoteSharing();
      if (screen.hidden && tiles.dataset.spotlight === 'screen') delete tiles.dataset.spotlight;
      if (performance.now() - statusAt >= 1000) {
        statusAt = performance.now();
        setText(timer, elapsed());
        setText(status, `${call.codec.toUpperCase()} · sent ${s.sent.video} video, ${s.sent.audio} audio frames · shown ${s.decoded.video}`
          + (s.sent.video ? ` · a frame takes ${s.encodeMs.toFixed(0)} ms to encode, ${s.decodeMs.toFixed(0)} ms to decode` : '')
          + (s.sentHeight ? ` · camera sent at ${s.sentHeight}p` : ''));
      }
    };
    refreshActive();
    return [
      h('div', { class: 'call-head' }, h('strong', null, call.video ? `Video call with ${call.peerName}` : `Voice call with ${call.peerName}`), timer),
      tiles,
      h('div', { class: 'call-controls' }, mute, camera, share, hang),
      h('details', { class: 'card call-details' }, h('summary', null, 'Details: devices, speaker, quality, media counters'),
        status,
        h('div', { class: 'inline-form' }, h('label', { class: 'stacked' }, 'Microphone', mic), h('label', { class: 'stacked', hidden: !call.video }, 'Camera', cam),
          h('label', { class: 'stacked', hidden: !canChooseSpeaker }, 'Speaker', speaker)),
        h('div', { class: 'inline-form' }, h('label', { class: 'stacked' }, 'Audio bitrate', bitrate), h('label', { class: 'stacked' }, 'Sample rate', rate),
          h('label', { class: 'stacked', hidden: !call.video }, 'Video', height))),
    ];
  }

  render();
  const stops = [onCallChange(render), onCallStats(() => refreshActive()), watch(['peers'], () => { if (!calls.call) render(); })];
  return () => { stops.forEach(s => s()); check.stop(); };
}

function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

/**
 * Spotlight (this tile large, the others a strip beside it) and full screen, for the other side's
 * camera and shared screen. The spotlight is the tiles' data-spotlight, so CSS lays it out.
 */
function spotlightControls(tileEl, tiles) {
  const kind = tileEl.classList.contains('screen') ? 'screen' : 'remote';
  const what = kind === 'screen' ? 'the shared screen' : 'their camera';
  const spot = h('button', { class: 'tile-button', 'aria-pressed': 'false', 'aria-label': `Spotlight ${what}` }, 'Spotlight');
  const full = h('button', { class: 'tile-button', 'aria-label': `Full screen ${what}` }, 'Full screen');
  spot.addEventListener('click', () => {
    const on = tiles.dataset.spotlight !== kind;
    if (on) tiles.dataset.spotlight = kind; else delete tiles.dataset.spotlight;
    tiles.querySelectorAll('.tile-button[aria-pressed]').forEach(b => b.setAttribute('aria-pressed', 'false'));
    spot.setAttribute('aria-pressed', String(on));
  });
  full.addEventListener('click', () => (document.fullscreenElement ? document.exitFullscreen() : tileEl.requestFullscreen()).catch(() => {}));
  if (!tileEl.classList.contains('voice')) tileEl.append(h('div', { class: 'tile-actions' }, spot, full));
}

function tile(name, media, kind) {
  return h('figure', { class: `tile ${kind}`, dataset: { frames: '0', level: '0' } }, media, h('figcaption', null, h('span', { class: 'speaking-light', 'aria-hidden': 'true' }), name));
}
