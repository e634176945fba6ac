// What the call view shows about the media, counted on the media worker and sent to the page ten
// times a second: frames sent and shown, loudness both ways, and how long a frame takes to encode
// and to decode (the median of the last 63).

/**
 * What either engine (engine.js, webrtc-engine.js) starts a call with: the call, its handlers, the
 * controls' state, the chosen quality and devices, zeroed counters and the local preview.
 */
export function engineState(call, { onEnded, onChange, onStats }) {
  return {
    call,
    codec: call.codec === 'none' ? 'vp8' : call.codec,
    onEnded,
    onChange,
    onStats,
    muted: false,
    cameraOn: call.video,
    sharing: false,
    quality: { audioBitrate: 32000, sampleRate: 48000, maxHeight: 720 },
    devices: { mic: undefined, camera: undefined },
    stats: newStats(),
    localVideo: Object.assign(document.createElement('video'), { muted: true, playsInline: true, autoplay: true }),
    ended: false,
  };
}

/** A call's counters, all zero. */
export function newStats() {
  return {
    sent: { audio: 0, video: 0, screen: 0 },
    decoded: { video: 0, screen: 0 },
    audioFrames: 0,
    remoteLevel: 0,
    localLevel: 0,
    encodeMs: 0,
    sentHeight: 0, // the camera's picture as encoded: below the captured height when the machine is short of CPU
    decodeMs: 0,
    remoteSharing: false,
  };
}

/** An AudioData's first channel as 32-bit float samples (what the level and the player take). */
export function monoSamples(data) {
  const samples = new Float32Array(data.numberOfFrames);
  data.copyTo(samples, { planeIndex: 0, format: 'f32-planar' });
  return samples;
}

/** The loudness of some samples (root mean square), for the speaking lights. */
export function rms(samples) {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
  return Math.sqrt(sum / Math.max(1, samples.length));
}

/** The last few per-frame times (ms); their median is what is typical lately, whatever one slow frame took. */
export class RecentTimes {
  constructor(size = 63) { this.size = size; this.times = []; this.next = 0; }

  add(ms) { this.times[this.next] = ms; this.next = (this.next + 1) % this.size; }

  median() {
    if (this.times.length === 0) return 0;
    const sorted = [...this.times].sort((a, b) => a - b);
    return sorted[sorted.length >> 1];
  }
}

/**
 * What a call asks of the camera: 720p at 30 frames a second where it can (a camera left to itself
 * usually gives 640x480), never above the chosen cap.
 */
export function cameraConstraints(deviceId, maxHeight) {
  const height = Math.min(720, maxHeight);
  return { deviceId, width: { ideal: Math.round(height * 16 / 9) }, height: { ideal: height, max: maxHeight }, frameRate: { ideal: 30, max: 30 } };
}
