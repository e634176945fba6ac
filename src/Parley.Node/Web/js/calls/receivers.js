// The receiving half of the media worker: the other side's frames are decoded here. Video goes to
// the page's <video> tiles through the writables of their track generators (the compositor shows
// it, as it shows WebRTC's frames); audio goes as samples straight to the AudioWorklet that plays it.

import { STREAM } from './frames.js';
import { CODEC_STRING } from './codecs.js';
import { monoSamples, rms, RecentTimes } from './media-stats.js';

const SHARING_SHOWN_MS = 1500; // screen frames this recent mean the other side is sharing
const KEY_ASK_EVERY_MS = 500; // a decoder waiting for a keyframe asks again this often (the node passes one ask per 300 ms)

export class Receivers {
  /**
   * `outputs` holds a generator's writable per video stream; `requestKeyframe(kind)` asks the other side for one;
   * `onFirstVideo()`, if given, is called as the first camera frame comes out of its decoder.
   */
  constructor(codec, stats, outputs, audioPort, requestKeyframe, onFirstVideo = null) {
    this.codec = codec;
    this.stats = stats;
    this.writers = { [STREAM.video]: outputs.video.getWriter(), [STREAM.screen]: outputs.screen.getWriter() };
    this.audioPort = audioPort;
    this.requestKeyframe = requestKeyframe;
    this.onFirstVideo = onFirstVideo;
    this.decoders = { [STREAM.video]: this.videoDecoder(STREAM.video), [STREAM.screen]: this.videoDecoder(STREAM.screen) };
    this.audioDecoder = this.newAudioDecoder();
    this.lastAudioAt = 0;
    this.lastScreenAt = -1e9;
    this.decodeTimes = new RecentTimes(); // from decode() to the frame
  }

  receive(frame) {
    if (frame.stream === STREAM.audio) {
      if (this.audioDecoder.state !== 'configured') return;
      this.audioDecoder.decode(new EncodedAudioChunk({ type: 'key', timestamp: frame.timestamp * 1e6 / 48000, data: frame.data }));
      return;
    }
    const decoder = this.decoders[frame.stream];
    if (!decoder) return;
    if (decoder.needKey && !frame.key) {
      // Waiting for a keyframe while the sender's deltas keep coming: the ask (or the keyframe it brought) was lost
      // somewhere, say the keyframe reached us before this receiver existed. Ask again, at a pace the node lets through.
      const now = performance.now();
      if (now - decoder.keyAskedAt >= KEY_ASK_EVERY_MS) { decoder.keyAskedAt = now; this.requestKeyframe(frame.stream === STREAM.video ? 'video' : 'screen'); }
      return;
    }
    if (decoder.state !== 'configured') decoder.configure({ codec: CODEC_STRING[this.codec], optimizeForLatency: true });
    decoder.needKey = false;
    const timestamp = frame.timestamp * 1e6 / 90000;
    if (decoder.started.size < 100) decoder.started.set(timestamp, performance.now());
    decoder.decode(new EncodedVideoChunk({ type: frame.key ? 'key' : 'delta', timestamp, data: frame.data }));
  }

  /** Brings the stats that depend on time up to now (called just before they are sent). */
  refreshStats(now) {
    if (now - this.lastAudioAt > 150) this.stats.remoteLevel = 0;
    this.stats.remoteSharing = now - this.lastScreenAt < SHARING_SHOWN_MS;
    this.stats.decodeMs = this.decodeTimes.median();
  }

  videoDecoder(stream) {
    const writer = this.writers[stream];
    const kind = stream === STREAM.video ? 'video' : 'screen';
    const decoder = new VideoDecoder({
      output: frame => {
        const at = decoder.started.get(frame.timestamp);
        if (at !== undefined) { decoder.started.delete(frame.timestamp); this.decodeTimes.add(performance.now() - at); }
        // With newer frames already waiting, only the newest is shown; a generator that is still busy skips one.
        if (decoder.decodeQueueSize === 0 && writer.desiredSize > 0) writer.write(frame).catch(() => frame.close());
        else frame.close();
        if (++this.stats.decoded[kind] === 1 && stream === STREAM.video) this.onFirstVideo?.();
        if (stream === STREAM.screen) this.lastScreenAt = performance.now();
      },
      error: () => {
        // A frame the decoder could not use: start over from the next keyframe, and ask for one.
        this.decoders[stream] = this.videoDecoder(stream);
        this.requestKeyframe(kind);
      },
    });
    decoder.needKey = true;
    decoder.keyAskedAt = performance.now(); // whoever made this decoder has just asked for a keyframe
    decoder.started = new Map(); // timestamp → when it went in, for the decode time
    return decoder;
  }

  newAudioDecoder() {
    const decoder = new AudioDecoder({ output: data => this.play(data), error: () => { this.audioDecoder = this.newAudioDecoder(); } });
    decoder.configure({ codec: 'opus', sampleRate: 48000, numberOfChannels: 1 });
    return decoder;
  }

  play(data) {
    const samples = monoSamples(data);
    data.close();
    this.stats.audioFrames++;
    this.stats.remoteLevel = 0.7 * this.stats.remoteLevel + 0.3 * rms(samples);
    this.lastAudioAt = performance.now();
    this.audioPort.postMessage(samples, [samples.buffer]);
  }

  stopAll() {
    for (const decoder of [this.audioDecoder, ...Object.values(this.decoders)]) if (decoder.state !== 'closed') decoder.close();
    for (const writer of Object.values(this.writers)) writer.close().catch(() => {});
    this.audioPort.close();
  }
}
