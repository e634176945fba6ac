// Choosing a resolution by itself: start with the highest variant whose average bitrate fits the
// measured throughput with headroom, and step down one variant when playback keeps stalling (two
// stalls within 30 s) or stalls for long (4 s).
// Pure functions (no page state), so the rules can be checked on their own.

/** Throughput must be this many times a variant's bitrate: room for bitrate peaks and other traffic. */
export const HEADROOM = 1.5;

/** A single stall this long makes the player step down at once. */
export const LONG_STALL_MS = 4000;

/** Stalls within the window that make the player step down. */
export const STALL_LIMIT = 2;
export const STALL_WINDOW_MS = 30_000;

/** The highest variant (variants sorted lowest first) whose bitrate × headroom fits; the lowest if none does. */
export function pickVariant(variants, bitsPerSecond, headroom = HEADROOM) {
  if (variants.length === 0) return null;
  let best = variants[0];
  for (const v of variants) {
    const need = (v.bitrate ?? Infinity) * headroom;
    if (need <= bitsPerSecond) best = v;
  }
  return best;
}

/** The next lower variant, or null at the lowest. */
export function stepDown(variants, current) {
  const at = variants.findIndex(v => v.id === current.id);
  return at > 0 ? variants[at - 1] : null;
}

/** Counts stalls (not seeks) and says when there were STALL_LIMIT within STALL_WINDOW_MS. */
export class StallWatch {
  constructor(limit = STALL_LIMIT, windowMs = STALL_WINDOW_MS) {
    this.limit = limit;
    this.windowMs = windowMs;
    this.times = [];
  }

  /** Records a stall at `now` (ms); true when the player should step down (and the count starts again). */
  note(now) {
    this.times = this.times.filter(t => now - t < this.windowMs);
    this.times.push(now);
    if (this.times.length < this.limit) return false;
    this.times = [];
    return true;
  }

  reset() { this.times = []; }
}

/** Bits per second of fetching the first `bytes` of `url` (a range request through the node and the peer link). */
export async function measureThroughput(url, bytes = 1 << 20) {
  const started = performance.now();
  const response = await fetch(url, { headers: { Range: `bytes=0-${bytes - 1}` }, credentials: 'same-origin', cache: 'no-store' });
  if (!response.ok) throw new Error(`measuring failed (${response.status})`);
  const got = (await response.arrayBuffer()).byteLength;
  const seconds = Math.max((performance.now() - started) / 1000, 0.001);
  return (got * 8) / seconds;
}
