// The room call this page is in (at most one, beside any 1:1 call's state), shared by the views:
// join (or start) a room's call, leave it, and the engine that runs it — capture, a worker for the
// media (room-call-worker.js), two tiles' tracks per other participant (camera and shared screen)
// and one AudioWorklet that mixes everyone's voice, each with its own jitter buffer. It outlives
// view changes: navigating away does not drop the call.

import { api, seg } from '../api.js';
import { STREAM } from '../calls/frames.js';
import { cameraConstraints, newStats } from '../calls/media-stats.js';
import { remoteVideo, sendCaptured, sendTrack } from '../calls/engine.js';

const listeners = new Set();
const WORKER_GRACE_MS = 1000;
const ROOM_MAX_HEIGHT = 360; // each page encodes once and decodes everyone: tiles need no more, and two cores carry four pages
const AUDIO_BITRATE = 32000; // Opus for speech
const SPEAKING_LEVEL = 0.01; // RMS above which a voice counts as speaking
const SPEAKER_HOLD_MS = 1000; // the highlight stays on a speaker this long after a pause, so it does not flicker

export const roomCall = { engine: null, ended: null };

/** Calls fn whenever the room call or anything it shows changes (ten times a second while in one); returns a function that stops it. */
export function onRoomCallChange(fn) { listeners.add(fn); return () => listeners.delete(fn); }

function changed() { listeners.forEach(fn => fn()); }

/** Joins (or starts) `room`'s call, with the camera or voice only. From a click: audio needs a gesture. */
export async function joinRoomCall(room, video) {
  if (roomCall.engine) await leaveRoomCall();
  roomCall.ended = null;
  const engine = new RoomCallEngine(room, video, reason => {
    if (roomCall.engine === engine) { roomCall.engine = null; roomCall.ended = { room, reason }; }
    changed();
  });
  // Playback, the media worker and the media channel get ready while the hub answers: the node holds the channel until
  // it is in the call, then sends who is there and their frames at once, so the first pictures need no further round trip.
  const join = crypto.randomUUID();
  const opened = engine.prepare().then(() => engine.openMedia(join));
  opened.catch(() => {}); // a failed join disposes the engine and nobody waits for the channel; a refused channel ends the call
  let info;
  try {
    info = await api.post(`/api/rooms/${seg(room)}/call`, { video, join });
  } catch (e) {
    engine.dispose();
    throw e;
  }
  engine.times.joined = performance.now();
  if (engine.ended) {
    // The media channel closed while the hub answered (the node could not hold it, the worker failed): out of the call again.
    roomCall.ended = { room, reason: engine.endReason };
    changed();
    await api.post(`/api/rooms/${seg(room)}/call/leave`).catch(() => {});
    return;
  }
  if (!engine.times.listed) engine.info = info; // else the channel's list came first, and is newer
  roomCall.engine = engine;
  changed();
  try {
    await opened;
    await engine.start();
  } catch (e) {
    engine.stop(`could not start media: ${e.message}`);
    await api.post(`/api/rooms/${seg(room)}/call/leave`).catch(() => {});
  }
  changed();
}

export async function leaveRoomCall() {
  const engine = roomCall.engine;
  if (!engine) return;
  engine.stop('you left the call');
  await api.post(`/api/rooms/${seg(engine.room)}/call/leave`).catch(() => {});
}

class RoomCallEngine {
  constructor(room, video, onEnded) {
    this.room = room;
    this.info = { participant: 0, others: [] };
    this.video = video;
    this.onEnded = onEnded;
    this.muted = false;
    this.cameraOn = video;
    this.sharing = false;
    this.peers = new Map(); // participant → { view, camera, screen, stats }
    this.stats = newStats();
    this.ownFrames = 0;
    this.speaker = { participant: null, at: 0 };
    this.senders = [];
    this.localVideo = Object.assign(document.createElement('video'), { muted: true, playsInline: true, autoplay: true });
    this.ended = false;
    // When (performance.now()) the join was clicked and answered, the media channel opened, the participants were listed and
    // given decoders, and each one's first frame was shown.
    this.times = { clicked: performance.now(), joined: 0, open: 0, listed: 0, peered: 0, firstFrame: {} };
  }

  /** Playback (the mixer) and the media worker; the AudioContext is made at once, inside the click. */
  async prepare() {
    this.audio = new AudioContext({ sampleRate: 48000, latencyHint: 'interactive' });
    this.worker = new Worker('/js/rooms-call/room-call-worker.js', { type: 'module' });
    this.worker.onmessage = ({ data }) => this.fromWorker(data);
    this.worker.onerror = event => this.stop(`the media worker failed: ${event.message}`);
    await this.audio.audioWorklet.addModule('/js/rooms-call/room-audio-mixer.js');
    this.mixer = new AudioWorkletNode(this.audio, 'room-audio-mixer', { outputChannelCount: [1] });
    this.mixer.connect(this.audio.destination);
    await this.audio.resume();
  }

  /** Opens the media channel of the join named `join` (resolves once it is open); the node holds it until that join is done. */
  openMedia(join) {
    const opened = new Promise((resolve, reject) => { this.opening = { resolve, reject }; });
    this.worker.postMessage({ type: 'start', url: `${location.origin.replace(/^http/, 'ws')}/api/rooms/${seg(this.room)}/call/media?join=${encodeURIComponent(join)}` });
    return opened;
  }

  /** Once joined and the channel is open: our state, and capture. */
  async start() {
    this.postState();
    await this.capture();
  }

  /** Undoes prepare() for a join the node refused. */
  dispose() {
    this.ended = true;
    this.worker?.terminate();
    this.audio?.close();
  }

  fromWorker(message) {
    if (message.type === 'open') { this.times.open = performance.now(); this.opening?.resolve(); }
    else if (message.type === 'firstFrame') this.times.firstFrame[message.participant] ??= message.at - performance.timeOrigin;
    else if (message.type === 'participants') {
      this.times.listed ||= performance.now();
      this.info = message.call;
      this.syncPeers();
      if (this.peers.size) this.times.peered ||= performance.now();
      changed();
    }
    else if (message.type === 'stats') {
      this.stats = message.stats;
      this.ownFrames = message.ownFrames;
      for (const [participant, stats] of Object.entries(message.peers)) {
        const peer = this.peers.get(Number(participant));
        if (peer) peer.stats = stats;
      }
      this.pickSpeaker();
      changed();
    } else if (message.type === 'ended') {
      this.opening?.reject(new Error('could not open the media channel'));
      this.stop(message.reason);
    }
  }

  /** Tiles' tracks and a mixer voice for each newcomer; gone for each leaver. */
  syncPeers() {
    const present = new Set(this.info.others.map(o => o.participant));
    for (const [participant, peer] of this.peers) {
      if (present.has(participant)) continue;
      this.worker.postMessage({ type: 'unpeer', participant }); // the worker stops writing to its tracks before they stop
      peer.camera.stop();
      peer.screen.stop();
      this.mixer.port.postMessage({ remove: participant });
      this.peers.delete(participant);
    }
    for (const view of this.info.others) {
      const known = this.peers.get(view.participant);
      if (known) { known.view = view; continue; }
      const peer = { view, camera: remoteVideo(), screen: remoteVideo(), stats: newStats() };
      this.peers.set(view.participant, peer);
      const voice = new MessageChannel();
      this.mixer.port.postMessage({ add: view.participant, port: voice.port1 }, [voice.port1]);
      const outputs = { video: peer.camera.writable, screen: peer.screen.writable };
      this.worker.postMessage({ type: 'peer', participant: view.participant, outputs, audioPort: voice.port2 }, [outputs.video, outputs.screen, voice.port2]);
    }
  }

  /** The loudest voice above the speaking level; the last speaker keeps the light through a short pause. */
  pickSpeaker() {
    let loudest = null;
    for (const [participant, peer] of this.peers) {
      if (peer.stats.remoteLevel > SPEAKING_LEVEL && !peer.view.muted && (!loudest || peer.stats.remoteLevel > loudest.level)) loudest = { participant, level: peer.stats.remoteLevel };
    }
    const now = performance.now();
    if (loudest) this.speaker = { participant: loudest.participant, at: now };
    else if (now - this.speaker.at > SPEAKER_HOLD_MS) this.speaker = { participant: null, at: 0 };
  }

  async capture() {
    const media = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
      video: this.video ? cameraConstraints(undefined, ROOM_MAX_HEIGHT) : false,
    });
    if (this.ended) { media.getTracks().forEach(t => t.stop()); return; }
    sendCaptured(this, media, AUDIO_BITRATE);
  }

  postState() { this.worker?.postMessage({ type: 'state', muted: this.muted, cameraOn: this.cameraOn, sharing: this.sharing }); }

  setMuted(muted) { this.muted = muted; this.postState(); changed(); }

  setCamera(on) { this.cameraOn = on && this.video; this.postState(); changed(); }

  /** Shares a screen or window: the others show it large. */
  async startShare() {
    const display = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { max: 15 } }, audio: false });
    const track = display.getVideoTracks()[0];
    if (this.ended) { track.stop(); return; }
    track.addEventListener('ended', () => this.stopShare());
    this.senders.push(sendTrack(this, track, STREAM.screen, AUDIO_BITRATE));
    this.sharing = true;
    this.postState();
    changed();
  }

  stopShare() {
    for (const sender of this.senders.filter(s => s.stream === STREAM.screen)) sender.stop();
    this.senders = this.senders.filter(s => s.stream !== STREAM.screen);
    this.sharing = false;
    this.postState();
    changed();
  }

  stop(reason) {
    if (this.ended) return;
    this.ended = true;
    this.endReason = reason;
    this.opening?.reject(new Error(reason));
    for (const sender of this.senders) sender.stop();
    this.senders = [];
    this.localVideo.srcObject?.getTracks().forEach(t => t.stop());
    if (this.worker) {
      this.worker.postMessage({ type: 'stop' });
      const worker = this.worker;
      setTimeout(() => worker.terminate(), WORKER_GRACE_MS);
    }
    for (const peer of this.peers.values()) { peer.camera.stop(); peer.screen.stop(); }
    this.mixer?.port.postMessage('flush');
    this.audio?.close();
    this.onEnded(reason);
  }
}

window.addEventListener('pagehide', () => { if (roomCall.engine) leaveRoomCall(); });
