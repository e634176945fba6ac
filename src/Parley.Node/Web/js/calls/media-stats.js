// What the call view shows about the media, counted on the media worker and sent to the page ten
// times a second: frames sent and shown, loudness both ways, and how long a frame takes to encode
// and to decode.

/** A call's counters, all zero. */
export function newStats() {
  return {
    sent: { audio: 0, video: 0, screen: 0 },
    decoded: { video: 0, screen: 0 },
    audioFrames: 0,
    remoteLevel: 0,
    localLevel: 0,
    encodeMs: 0,
    decodeMs: 0,
    remoteSharing: false,
  };
}

/** The loudness of some samples (root mean square), for the speaking lights. */
export function rms(samples) {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
  return Math.sqrt(sum / Math.max(1, samples.length));
}

/** Smooths a per-frame time (ms), so the stats show what is typical lately rather than the last frame. */
export function smooth(previous, sample) { return previous === 0 ? sample : 0.9 * previous + 0.1 * sample; }
