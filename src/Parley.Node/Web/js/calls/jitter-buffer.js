// One voice's playout buffer, for the AudioWorklet processors (audio-worklet.js for a 1:1 call,
// room-audio-mixer.js for a room's several voices): samples arrive in 20 ms pieces and are played
// from a small buffer that adapts — it starts playing once 40 ms are queued, and if more than 200 ms
// pile up (the network caught up after a hiccup) it drops back to 60 ms so delay does not build. An
// empty buffer plays silence until enough arrives again.

export class JitterBuffer {
  constructor(rate) {
    this.rate = rate;
    this.flush();
  }

  flush() { this.queue = []; this.queued = 0; this.offset = 0; this.playing = false; }

  take(samples) {
    this.queue.push(samples);
    this.queued += samples.length;
    const max = this.rate * 0.2;
    while (this.queued > max && this.queue.length > 1) {
      const dropped = this.queue.shift();
      this.queued -= dropped.length - this.offset;
      this.offset = 0;
      if (this.queued <= this.rate * 0.06) break;
    }
  }

  /** Writes the next `out.length` samples into `out` (adding them to what is there when `mix`); returns how many were real. */
  play(out, mix = false) {
    if (!this.playing && this.queued >= this.rate * 0.04) this.playing = true;
    let i = 0;
    while (this.playing && i < out.length && this.queue.length > 0) {
      const head = this.queue[0];
      const take = Math.min(out.length - i, head.length - this.offset);
      if (mix) for (let k = 0; k < take; k++) out[i + k] += head[this.offset + k];
      else out.set(head.subarray(this.offset, this.offset + take), i);
      i += take;
      this.offset += take;
      this.queued -= take;
      if (this.offset === head.length) { this.queue.shift(); this.offset = 0; }
    }
    if (i < out.length && this.queue.length === 0) this.playing = false;
    return i;
  }
}
