// The sending half of the media worker: one WebCodecs encoder per captured track (Opus in 20 ms
// frames for the microphone; VP8, VP9 or H.264 for the camera and the shared screen). The page
// hands over each track as the readable of a MediaStreamTrackProcessor, so camera frames come
// straight to this worker; their encoded chunks go to `send`.

import { STREAM } from './frames.js';
import { CODEC_BYTE, CODEC_STRING } from './codecs.js';
import { monoSamples, rms, RecentTimes } from './media-stats.js';
import { CameraScale } from './camera-scale.js';

const KEYFRAME_EVERY_MS = 10_000; // a safety net: a lost frame brings a keyframe request at once
const MAX_ENCODING = 1;
const HELD_AT_MOST_MS = 12; // a held frame older than this is dropped: shown later than that, it would lift the delay of the frames around it
const MIN_SCREEN_BPS = 1_500_000; // text on a shared screen needs more than a face does
const LEVEL_EVERY_MS = 50; // the speaking light reads the level ten times a second; the microphone gives 100 pieces

export class Senders {
  /** `send(stream, chunk, codecByte, clock)` carries a chunk to the node. */
  constructor(codec, stats, send) {
    this.codec = codec;
    this.stats = stats;
    this.send = send;
    this.muted = false;
    this.cameraOn = true;
    this.bitrate = 1_000_000;
    this.wantKeyframe = { [STREAM.video]: true, [STREAM.screen]: true };
    this.byStream = new Map();
    this.encodeTimes = new RecentTimes(); // camera and screen frames, from encode() to their chunk
    this.cameraScalability = null; // a room call's camera: 'L1T3', so the hub can forward fewer frames to a weak receiver
  }

  /** Starts encoding a track's frames, replacing what was sent on that stream before. */
  add(stream, readable, { audioBitrate }) {
    this.remove(stream);
    const sender = stream === STREAM.audio ? this.audioSender(readable, audioBitrate) : this.videoSender(readable, stream);
    this.byStream.set(stream, sender);
  }

  remove(stream) {
    this.byStream.get(stream)?.stop();
    this.byStream.delete(stream);
  }

  stopAll() { for (const stream of [...this.byStream.keys()]) this.remove(stream); }

  setState({ muted, cameraOn }) {
    if (cameraOn && !this.cameraOn) this.wantKeyframe[STREAM.video] = true;
    this.muted = muted;
    this.cameraOn = cameraOn;
  }

  requestKeyframe(stream) { this.wantKeyframe[stream] = true; }

  setBitrate(bps) { this.bitrate = Math.max(150_000, Math.min(bps, 2_500_000)); }

  audioSender(readable, audioBitrate) {
    const encoder = new AudioEncoder({ output: chunk => this.sent(STREAM.audio, chunk, CODEC_BYTE.opus, 48000), error: e => console.warn('audio encoder', e.message) });
    let levelAt = -LEVEL_EVERY_MS;
    return pumpFrames(readable, encoder, data => {
      const now = performance.now();
      if (now - levelAt >= LEVEL_EVERY_MS) { levelAt = now; this.stats.localLevel = level(data); }
      if (this.muted) return; // nothing leaves this page while muted
      if (encoder.state === 'unconfigured') {
        // Opus takes the microphone's own rate (the quality setting asks for one); the far side always decodes at 48 kHz.
        encoder.configure({ codec: 'opus', sampleRate: data.sampleRate, numberOfChannels: 1, bitrate: audioBitrate, opus: { frameDuration: 20000 } });
      }
      encoder.encode(data);
    });
  }

  videoSender(readable, stream) {
    let configured = null;
    let lastKey = 0;
    let held = null; // { frame, at }: the newest frame that came while the encoder was busy, encoded when it is free
    const encoding = new Map(); // timestamp → when it went in, for frames the encoder has not given back
    const scale = stream === STREAM.video ? new CameraScale() : null; // the screen keeps its size and loses frames instead
    const release = () => { held?.frame.close(); held = null; };

    const encode = (frame, now) => {
      const bitrate = stream === STREAM.screen ? Math.max(this.bitrate, MIN_SCREEN_BPS) : this.bitrate;
      const { width, height } = scale ? scale.size(frame.displayWidth, frame.displayHeight) : { width: frame.displayWidth, height: frame.displayHeight };
      const resized = configured?.width !== width || configured?.height !== height;
      // Reconfiguring costs the encoder a reset: the node's estimate moves a few per cent each report, so the
      // encoder follows it only when it has moved more than 15 %, at most once a second.
      const retarget = configured && Math.abs(bitrate - configured.bitrate) > 0.15 * configured.bitrate && now - configured.at > 1000;
      if (resized || retarget) {
        encoder.configure({
          codec: CODEC_STRING[this.codec], width, height, bitrate,
          framerate: 30, latencyMode: 'realtime', ...(this.codec === 'h264' ? { avc: { format: 'annexb' } } : {}),
          ...(this.cameraScalability && stream === STREAM.video ? { scalabilityMode: this.cameraScalability } : {}),
        });
        configured = { width, height, bitrate, at: now };
        if (stream === STREAM.video) this.stats.sentHeight = height;
        if (resized) this.wantKeyframe[stream] = true; // a new size starts from a keyframe; a new bitrate does not need one
      }
      encoding.set(frame.timestamp, now);
      const keyFrame = this.wantKeyframe[stream] || now - lastKey > KEYFRAME_EVERY_MS;
      if (keyFrame) { lastKey = now; this.wantKeyframe[stream] = false; }
      encoder.encode(frame, { keyFrame });
    };

    const encoder = new VideoEncoder({
      output: (chunk, metadata) => {
        const now = performance.now();
        const at = encoding.get(chunk.timestamp);
        if (at !== undefined) this.encodeTimes.add(now - at);
        encoding.delete(chunk.timestamp);
        this.sent(stream, chunk, CODEC_BYTE[this.codec], 90000, metadata?.svc?.temporalLayerId ?? 0);
        // The frame that came while this one was encoding goes in now if it came only just before (HELD_AT_MOST_MS):
        // shown a few milliseconds late rather than not at all. An older one is dropped, as before holding.
        if (held && encoding.size < MAX_ENCODING && encoder.state === 'configured') {
          const { frame, at: heldAt } = held;
          held = null;
          try { if (now - heldAt < HELD_AT_MOST_MS && this.sending(stream)) encode(frame, now); } catch (e) { console.warn('encode', e.message); } finally { frame.close(); }
        }
      },
      error: e => console.warn('video encoder', e.message),
    });
    const pump = pumpFrames(readable, encoder, frame => {
      if (!this.sending(stream)) { release(); return; }
      const now = performance.now();
      // A busy encoder keeps taking frames (its queue size counts only those not yet started) and each
      // waits behind the others: one frame at a time keeps the delay to one encode. A frame that comes while
      // it is busy is held, replacing any held before it, and goes in as the encoder gives its frame back.
      // A frame the encoder drops never comes out: after a second it no longer counts.
      for (const [timestamp, at] of encoding) if (now - at > 1000) encoding.delete(timestamp);
      const busy = encoding.size >= MAX_ENCODING;
      scale?.count(now, busy, frame.displayHeight);
      if (busy) {
        release();
        if (encoder.state !== 'closed') held = { frame: frame.clone(), at: now };
        return;
      }
      encode(frame, now);
    });
    return { stop: () => { pump.stop(); release(); } };
  }

  /** Whether frames of this stream go out now (the camera can be turned off; the screen always goes while shared). */
  sending(stream) { return stream !== STREAM.video || this.cameraOn; }

  sent(stream, chunk, codecByte, clock, layer = 0) {
    if (!this.send(stream, chunk, codecByte, clock, layer)) return;
    this.stats.sent[stream === STREAM.audio ? 'audio' : stream === STREAM.video ? 'video' : 'screen']++;
  }
}

/** Reads a track's frames (or audio data) into `handle` until stopped; each is closed after. */
function pumpFrames(readable, encoder, handle) {
  const reader = readable.getReader();
  let stopped = false;
  (async () => {
    while (!stopped) {
      const { value, done } = await reader.read().catch(() => ({ done: true }));
      if (done) break;
      if (stopped) { value.close(); break; } // read just before the stop: its encoder is closed
      try { handle(value); } catch (e) { console.warn('encode', e.message); } finally { value.close(); }
    }
  })();
  return { stop: () => { stopped = true; reader.cancel().catch(() => {}); if (encoder.state !== 'closed') encoder.close(); } };
}

function level(data) {
  try { return rms(monoSamples(data)); } catch { return 0; }
}
