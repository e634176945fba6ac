// The page's side of one call: capture (getUserMedia, getDisplayMedia), the tiles that show the
// other side's video, the AudioWorklet that plays its voice, and the media worker
// (media-worker.js) that does everything in between: encoding, the media WebSocket to the node,
// decoding. Captured tracks go to the worker as MediaStreamTrackProcessor readables, and decoded
// video comes back into MediaStreamTrackGenerator tracks shown by <video> elements, so no frame
// passes through this thread.
// It outlives view changes: navigating away from the call view does not drop the call.

import { STREAM } from './frames.js';
import { cameraConstraints, engineState } from './media-stats.js';

export { supportedCodecs } from './codecs.js';

const WORKER_GRACE_MS = 1000; // a worker told to stop closes itself; past this it is ended anyway

export class CallEngine {
  /** `onChange` hears state changes (mute, camera, share); `onStats` the media counters, ten times a second. */
  constructor(call, handlers) {
    Object.assign(this, engineState(call, handlers));
    this.remote = { video: remoteVideo(), screen: remoteVideo() };
    this.senders = [];
  }

  /** Opens the media channel, starts capture and playback. Call from a click (audio needs a gesture). */
  async start() {
    this.audio = new AudioContext({ sampleRate: 48000, latencyHint: 'interactive' });
    await this.audio.audioWorklet.addModule('/js/calls/audio-worklet.js');
    this.player = new AudioWorkletNode(this.audio, 'network-audio-player', { outputChannelCount: [1] });
    this.player.connect(this.audio.destination);
    await this.audio.resume();
    // Decoded audio goes from the worker to the worklet directly, over a channel of their own.
    const audioChannel = new MessageChannel();
    this.player.port.postMessage({ port: audioChannel.port1 }, [audioChannel.port1]);
    this.worker = new Worker('/js/calls/media-worker.js', { type: 'module' });
    const opened = new Promise((resolve, reject) => { this.opening = { resolve, reject }; });
    this.worker.onmessage = ({ data }) => this.fromWorker(data);
    this.worker.onerror = event => this.stop(`the media worker failed: ${event.message}`);
    const outputs = { video: this.remote.video.writable, screen: this.remote.screen.writable };
    this.worker.postMessage({
      type: 'start',
      url: `${location.origin.replace(/^http/, 'ws')}/api/calls/${this.call.id}/media`,
      codec: this.codec,
      outputs,
      audioPort: audioChannel.port2,
    }, [outputs.video, outputs.screen, audioChannel.port2]);
    this.postState();
    await opened;
    await this.capture();
  }

  fromWorker(message) {
    if (message.type === 'stats') { this.stats = message.stats; this.onStats?.(); }
    else if (message.type === 'open') this.opening?.resolve();
    else if (message.type === 'ended') {
      this.opening?.reject(new Error('could not open the media channel'));
      this.stop(message.reason, message.byPeer);
    }
  }

  /** Microphone (and camera for a video call) with the chosen devices and quality; replaces what was captured. */
  async capture() {
    for (const sender of this.senders.filter(s => s.stream !== STREAM.screen)) sender.stop();
    this.senders = this.senders.filter(s => s.stream === STREAM.screen);
    const media = await navigator.mediaDevices.getUserMedia({
      audio: { deviceId: this.devices.mic, sampleRate: this.quality.sampleRate, channelCount: 1, echoCancellation: true, noiseSuppression: true },
      video: this.call.video ? cameraConstraints(this.devices.camera, this.quality.maxHeight) : false,
    });
    if (this.ended) { media.getTracks().forEach(t => t.stop()); return; }
    sendCaptured(this, media, this.quality.audioBitrate);
  }


  postState() { this.worker?.postMessage({ type: 'state', muted: this.muted, cameraOn: this.cameraOn }); }

  /** Whether screen frames arrived lately (the other side is sharing). */
  remoteSharing() { return this.stats.remoteSharing; }

  setMuted(muted) { this.muted = muted; this.postState(); this.onChange?.(); }

  setCamera(on) { this.cameraOn = on; this.postState(); this.onChange?.(); }

  /** Shares a screen or window beside the camera, as a third stream. */
  async startShare() {
    const display = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { max: 15 } }, audio: false });
    const track = display.getVideoTracks()[0];
    if (this.ended) { track.stop(); return; }
    track.addEventListener('ended', () => this.stopShare());
    this.senders.push(sendTrack(this, track, STREAM.screen, this.quality.audioBitrate));
    this.sharing = true;
    this.onChange?.();
  }

  stopShare() {
    for (const sender of this.senders.filter(s => s.stream === STREAM.screen)) sender.stop();
    this.senders = this.senders.filter(s => s.stream !== STREAM.screen);
    this.sharing = false;
    this.onChange?.();
  }

  /** Where the other side's voice plays: an audio output's device ID, '' for the default (where the browser can choose). */
  async setSpeaker(deviceId) {
    if (this.audio?.setSinkId && this.audio.state !== 'closed') await this.audio.setSinkId(deviceId);
  }

  async changeDevices(devices) { Object.assign(this.devices, devices); await this.capture(); }

  async changeQuality(quality) { Object.assign(this.quality, quality); await this.capture(); }

  /** Stops everything at once: capture, the worker (its encoders, decoders and channel), playback. Safe to call twice. */
  stop(reason, byPeer = false) {
    if (this.ended) return;
    this.ended = true;
    for (const sender of this.senders) sender.stop();
    this.senders = [];
    this.localVideo.srcObject?.getTracks().forEach(t => t.stop());
    if (this.worker) {
      this.worker.postMessage({ type: 'stop' });
      const worker = this.worker;
      setTimeout(() => worker.terminate(), WORKER_GRACE_MS);
    }
    for (const remote of Object.values(this.remote)) remote.stop();
    this.player?.port.postMessage('flush');
    this.audio?.close();
    this.onEnded?.(reason, byPeer);
  }
}

/** Shows `media` as the engine's local preview and hands its microphone (and camera) to the engine's media worker. */
export function sendCaptured(engine, media, audioBitrate) {
  engine.localVideo.srcObject = media;
  engine.senders.push(sendTrack(engine, media.getAudioTracks()[0], STREAM.audio, audioBitrate));
  const camera = media.getVideoTracks()[0];
  if (camera) engine.senders.push(sendTrack(engine, camera, STREAM.video, audioBitrate));
}

/** Hands a captured track's frames to the engine's worker; the returned sender stops them. */
export function sendTrack(engine, track, stream, audioBitrate) {
  const readable = new MediaStreamTrackProcessor({ track }).readable;
  engine.worker.postMessage({ type: 'track', stream, readable, options: { audioBitrate } }, [readable]);
  return { stream, stop: () => { track.stop(); if (!engine.ended) engine.worker.postMessage({ type: 'untrack', stream }); } };
}

/** A <video> showing the frames written to its generator's writable (the worker writes them). */
export function remoteVideo() {
  const generator = new MediaStreamTrackGenerator({ kind: 'video' });
  const element = Object.assign(document.createElement('video'), { muted: true, autoplay: true, playsInline: true, srcObject: new MediaStream([generator]) });
  element.play().catch(() => {}); // muted, so it may play without a gesture; shown as soon as the first frame comes
  // Stopped once the worker has had time to stop writing: a frame still on its way through the transferred writable
  // when the track ends is dropped without being closed (Chromium warns of it, and such frames can stall decoders).
  return { element, writable: generator.writable, stop: () => setTimeout(() => generator.stop(), WORKER_GRACE_MS) };
}
