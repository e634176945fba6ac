// The media engine of one call, in this page: capture (getUserMedia, getDisplayMedia), WebCodecs
// encode (Opus in 20 ms frames; VP8, VP9 or H.264), frames to the node over the call's media
// WebSocket, and back: decode, show video, play audio through an AudioWorklet.
// Decoded video goes into a track generator shown by a <video>, as WebRTC's own frames are: the
// compositor presents it, so the page's main thread neither draws nor repaints for each frame.
// It outlives view changes: navigating away from the call view does not drop the call.

import { STREAM, encodeChunk, decodeFrame } from './frames.js';

const CODEC_BYTE = { vp8: 1, vp9: 2, h264: 4, opus: 16 };
const CODEC_STRING = { vp8: 'vp8', vp9: 'vp09.00.10.08', h264: 'avc1.42002a' };
const KEYFRAME_EVERY_MS = 10_000; // a safety net: a lost frame brings a keyframe request at once
const MAX_ENCODING = 1;

/**
 * The video codecs this browser can both encode and decode, as the node names them, best first (the
 * answering page's first choice that the caller offered is used). VP8 leads, except on a machine of one
 * or two cores: there Chromium's VP8 encoder splits 720p between two threads that spin-wait for each
 * other, and with the CPU short a frame took over a second to encode, where H.264 took 5 ms.
 */
export async function supportedCodecs() {
  const order = navigator.hardwareConcurrency <= 2 ? ['h264', 'vp8', 'vp9'] : ['vp8', 'vp9', 'h264'];
  const found = [];
  for (const name of order) {
    const codec = CODEC_STRING[name];
    const config = { codec, width: 1280, height: 720, bitrate: 1_000_000, framerate: 30 };
    try {
      if ((await VideoEncoder.isConfigSupported(config)).supported && (await VideoDecoder.isConfigSupported({ codec })).supported) found.push(name);
    } catch { /* not this one */ }
  }
  return found;
}

export class CallEngine {
  constructor(call, { onEnded, onChange }) {
    this.call = call;
    this.codec = call.codec === 'none' ? 'vp8' : call.codec;
    this.onEnded = onEnded;
    this.onChange = onChange;
    this.muted = false;
    this.cameraOn = call.video;
    this.sharing = false;
    this.quality = { audioBitrate: 32000, sampleRate: 48000, maxHeight: 720 };
    this.devices = { mic: undefined, camera: undefined };
    this.stats = { sent: { audio: 0, video: 0, screen: 0 }, decoded: { video: 0, screen: 0 }, audioFrames: 0, remoteLevel: 0, localLevel: 0 };
    this.remote = { video: remoteVideo(), screen: remoteVideo() };
    this.localVideo = Object.assign(document.createElement('video'), { muted: true, playsInline: true, autoplay: true });
    this.senders = [];
    this.bitrate = 1_000_000;
    this.wantKeyframe = { video: true, screen: true };
    this.lastAudioAt = 0;
    this.ended = false;
  }

  /** Opens the media channel, starts capture and playback. Call from a click (audio needs a gesture). */
  async start() {
    this.audio = new AudioContext({ sampleRate: 48000, latencyHint: 'interactive' });
    await this.audio.audioWorklet.addModule('/js/calls/audio-worklet.js');
    this.player = new AudioWorkletNode(this.audio, 'network-audio-player', { outputChannelCount: [1] });
    this.player.connect(this.audio.destination);
    await this.audio.resume();
    this.socket = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/api/calls/${this.call.id}/media`);
    this.socket.binaryType = 'arraybuffer';
    this.socket.onmessage = event => typeof event.data === 'string' ? this.notice(JSON.parse(event.data)) : this.receive(decodeFrame(event.data));
    this.socket.onclose = () => this.stop('the media channel closed');
    await new Promise((resolve, reject) => { this.socket.onopen = resolve; this.socket.onerror = () => reject(new Error('could not open the media channel')); });
    this.decoders = { video: this.videoDecoder('video'), screen: this.videoDecoder('screen') };
    this.audioDecoder = new AudioDecoder({ output: data => this.play(data), error: () => this.resetAudioDecoder() });
    this.resetAudioDecoder();
    await this.capture();
    this.levelTimer = setInterval(() => {
      if (performance.now() - this.lastAudioAt > 150) this.stats.remoteLevel = 0;
      this.onChange?.();
    }, 100);
  }

  /** Microphone (and camera for a video call) with the chosen devices and quality; replaces what was captured. */
  async capture() {
    for (const sender of this.senders.filter(s => s.stream !== STREAM.screen)) sender.stop();
    this.senders = this.senders.filter(s => s.stream === STREAM.screen);
    const media = await navigator.mediaDevices.getUserMedia({
      audio: { deviceId: this.devices.mic, sampleRate: this.quality.sampleRate, channelCount: 1, echoCancellation: true, noiseSuppression: true },
      video: this.call.video ? { deviceId: this.devices.camera, height: { max: this.quality.maxHeight }, frameRate: { max: 30 } } : false,
    });
    this.localStream = media;
    this.localVideo.srcObject = media;
    this.senders.push(this.audioSender(media.getAudioTracks()[0]));
    const camera = media.getVideoTracks()[0];
    if (camera) this.senders.push(this.videoSender(camera, STREAM.video, 'video'));
  }

  audioSender(track) {
    const encoder = new AudioEncoder({ output: chunk => this.send(STREAM.audio, chunk, CODEC_BYTE.opus, 48000), error: e => console.warn('audio encoder', e.message) });
    return this.pump(STREAM.audio, track, encoder, data => {
      this.stats.localLevel = level(data);
      if (this.muted) return false; // nothing leaves this page while muted
      if (encoder.state === 'unconfigured') {
        // Opus takes the microphone's own rate (the quality setting asks for one); the far side always decodes at 48 kHz.
        encoder.configure({ codec: 'opus', sampleRate: data.sampleRate, numberOfChannels: 1, bitrate: this.quality.audioBitrate, opus: { frameDuration: 20000 } });
      }
      encoder.encode(data);
      return true;
    });
  }

  videoSender(track, stream, kind) {
    let configured = null;
    let lastKey = 0;
    const encoding = new Map(); // timestamp → when it went in, for frames the encoder has not given back
    const encoder = new VideoEncoder({
      output: chunk => { encoding.delete(chunk.timestamp); this.send(stream, chunk, CODEC_BYTE[this.codec], 90000); },
      error: e => console.warn('video encoder', e.message),
    });
    return this.pump(stream, track, encoder, frame => {
      if (kind === 'video' && !this.cameraOn) return false;
      const now = performance.now();
      const bitrate = kind === 'screen' ? Math.max(this.bitrate, 1_500_000) : this.bitrate;
      const resized = configured?.width !== frame.displayWidth || configured?.height !== frame.displayHeight;
      // Reconfiguring costs the encoder a reset: the node's estimate moves a few per cent each report, so the
      // encoder follows it only when it has moved more than 15 %, at most once a second.
      const retarget = configured && Math.abs(bitrate - configured.bitrate) > 0.15 * configured.bitrate && now - configured.at > 1000;
      if (resized || retarget) {
        encoder.configure({
          codec: CODEC_STRING[this.codec], width: frame.displayWidth, height: frame.displayHeight, bitrate,
          framerate: 30, latencyMode: 'realtime', ...(this.codec === 'h264' ? { avc: { format: 'annexb' } } : {}),
        });
        configured = { width: frame.displayWidth, height: frame.displayHeight, bitrate, at: now };
        if (resized) this.wantKeyframe[kind] = true; // a new size starts from a keyframe; a new bitrate does not need one
      }
      // A busy encoder keeps taking frames (its queue size counts only those not yet started) and each
      // waits behind the others: one frame at a time keeps the delay to one encode, and the camera's next
      // frame replaces the ones skipped. A frame the encoder drops never comes out: after a second it no
      // longer counts.
      for (const [timestamp, at] of encoding) if (now - at > 1000) encoding.delete(timestamp);
      if (encoding.size >= MAX_ENCODING) return false;
      encoding.set(frame.timestamp, now);
      const keyFrame = this.wantKeyframe[kind] || now - lastKey > KEYFRAME_EVERY_MS;
      if (keyFrame) { lastKey = now; this.wantKeyframe[kind] = false; }
      encoder.encode(frame, { keyFrame });
      return true;
    });
  }

  /** Reads a track's frames until stopped; `handle` encodes one (and says whether it did). */
  pump(stream, track, encoder, handle) {
    const reader = new MediaStreamTrackProcessor({ track }).readable.getReader();
    const sender = { stream, track, stopped: false, stop: () => { sender.stopped = true; track.stop(); reader.cancel().catch(() => {}); if (encoder.state !== 'closed') encoder.close(); } };
    (async () => {
      while (!sender.stopped) {
        const { value, done } = await reader.read().catch(() => ({ done: true }));
        if (done) break;
        try { handle(value); } catch (e) { console.warn('encode', e.message); } finally { value.close(); }
      }
    })();
    return sender;
  }

  send(stream, chunk, codec, clock) {
    if (this.socket?.readyState !== WebSocket.OPEN) return;
    this.socket.send(encodeChunk(stream, chunk, codec, clock));
    this.stats.sent[stream === STREAM.audio ? 'audio' : stream === STREAM.video ? 'video' : 'screen']++;
  }

  receive(frame) {
    if (frame.stream === STREAM.audio) {
      if (this.audioDecoder.state !== 'configured') return;
      this.audioDecoder.decode(new EncodedAudioChunk({ type: 'key', timestamp: frame.timestamp * 1e6 / 48000, data: frame.data }));
      return;
    }
    const kind = frame.stream === STREAM.video ? 'video' : 'screen';
    const decoder = this.decoders[kind];
    if (decoder.needKey && !frame.key) return;
    if (decoder.state !== 'configured') decoder.configure({ codec: CODEC_STRING[this.codec], optimizeForLatency: true });
    decoder.needKey = false;
    decoder.decode(new EncodedVideoChunk({ type: frame.key ? 'key' : 'delta', timestamp: frame.timestamp * 1e6 / 90000, data: frame.data }));
  }

  videoDecoder(kind) {
    const remote = this.remote[kind];
    const decoder = new VideoDecoder({
      output: frame => {
        // With newer frames already waiting, only the newest is shown; a generator that is still busy skips one.
        if (decoder.decodeQueueSize === 0 && remote.writer.desiredSize > 0) remote.writer.write(frame).catch(() => {});
        else frame.close();
        this.stats.decoded[kind]++;
        if (kind === 'screen') this.lastScreenAt = performance.now();
      },
      error: () => {
        // A frame the decoder could not use: start over from the next keyframe, and ask for one.
        this.decoders[kind] = this.videoDecoder(kind);
        this.decoders[kind].needKey = true;
        this.socket?.send(JSON.stringify({ type: 'keyframe', stream: kind }));
      },
    });
    decoder.needKey = true;
    return decoder;
  }

  resetAudioDecoder() {
    if (this.audioDecoder.state === 'closed') this.audioDecoder = new AudioDecoder({ output: data => this.play(data), error: () => this.resetAudioDecoder() });
    this.audioDecoder.configure({ codec: 'opus', sampleRate: 48000, numberOfChannels: 1 });
  }

  play(data) {
    const samples = new Float32Array(data.numberOfFrames);
    data.copyTo(samples, { planeIndex: 0, format: 'f32-planar' });
    data.close();
    this.stats.audioFrames++;
    this.stats.remoteLevel = 0.7 * this.stats.remoteLevel + 0.3 * rms(samples);
    this.lastAudioAt = performance.now();
    this.player.port.postMessage(samples, [samples.buffer]);
  }

  notice(message) {
    if (message.type === 'keyframe') this.wantKeyframe[message.stream === 'screen' ? 'screen' : 'video'] = true;
    else if (message.type === 'bitrate') this.bitrate = Math.max(150_000, Math.min(message.bps, 2_500_000));
    else if (message.type === 'ended') this.stop(message.reason, message.byPeer);
  }

  /** Whether screen frames arrived lately (the other side is sharing). */
  remoteSharing() { return performance.now() - (this.lastScreenAt ?? -1e9) < 1500; }

  setMuted(muted) { this.muted = muted; this.onChange?.(); }

  setCamera(on) { this.cameraOn = on; if (on) this.wantKeyframe.video = true; this.onChange?.(); }

  /** Shares a screen or window beside the camera, as a third stream. */
  async startShare() {
    const display = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { max: 15 } }, audio: false });
    const track = display.getVideoTracks()[0];
    track.addEventListener('ended', () => this.stopShare());
    this.wantKeyframe.screen = true;
    this.senders.push(this.videoSender(track, STREAM.screen, 'screen'));
    this.sharing = true;
    this.onChange?.();
  }

  stopShare() {
    for (const sender of this.senders.filter(s => s.stream === STREAM.screen)) sender.stop();
    this.senders = this.senders.filter(s => s.stream !== STREAM.screen);
    this.sharing = false;
    this.onChange?.();
  }

  async changeDevices(devices) { Object.assign(this.devices, devices); await this.capture(); }

  async changeQuality(quality) { Object.assign(this.quality, quality); await this.capture(); }

  /** Stops everything at once: capture, encoders, decoders, the channel. Safe to call twice. */
  stop(reason, byPeer = false) {
    if (this.ended) return;
    this.ended = true;
    for (const sender of this.senders) sender.stop();
    this.senders = [];
    this.localStream?.getTracks().forEach(t => t.stop());
    clearInterval(this.levelTimer);
    for (const decoder of [this.audioDecoder, ...Object.values(this.decoders ?? {})]) if (decoder && decoder.state !== 'closed') decoder.close();
    for (const remote of Object.values(this.remote)) remote.stop();
    this.player?.port.postMessage('flush');
    this.audio?.close();
    if (this.socket && this.socket.readyState <= WebSocket.OPEN) this.socket.close();
    this.onEnded?.(reason, byPeer);
  }
}

/** A <video> showing frames written to it (a generated track; the writer closes each frame it takes). */
function remoteVideo() {
  const generator = new MediaStreamTrackGenerator({ kind: 'video' });
  const element = Object.assign(document.createElement('video'), { muted: true, autoplay: true, playsInline: true, srcObject: new MediaStream([generator]) });
  element.play().catch(() => {}); // muted, so it may play without a gesture; shown as soon as the first frame comes
  const writer = generator.writable.getWriter();
  return { element, writer, stop: () => { writer.close().catch(() => {}); generator.stop(); } };
}

function rms(samples) {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
  return Math.sqrt(sum / Math.max(1, samples.length));
}

function level(data) {
  const samples = new Float32Array(data.numberOfFrames);
  try { data.copyTo(samples, { planeIndex: 0, format: 'f32-planar' }); } catch { return 0; }
  return rms(samples);
}
