// Plays decoded audio from the network: samples arrive in 20 ms pieces from the media worker and
// are played from a small buffer that adapts — it starts playing once 40 ms are queued, and if
// more than 200 ms pile up (the network caught up after a hiccup) it drops back to 60 ms so
// delay does not build. An empty buffer plays silence until enough arrives again.

class NetworkAudioPlayer extends AudioWorkletProcessor {
  constructor() {
    super();
    this.queue = [];
    this.queued = 0;
    this.offset = 0;
    this.playing = false;
    this.port.onmessage = event => {
      if (event.data === 'flush') { this.queue = []; this.queued = 0; this.offset = 0; this.playing = false; }
      else if (event.data.port) event.data.port.onmessage = samples => this.take(samples.data); // the media worker's channel
    };
  }

  take(samples) {
    this.queue.push(samples);
    this.queued += samples.length;
    const max = sampleRate * 0.2;
    while (this.queued > max && this.queue.length > 1) {
      const dropped = this.queue.shift();
      this.queued -= dropped.length - this.offset;
      this.offset = 0;
      if (this.queued <= sampleRate * 0.06) break;
    }
  }

  process(inputs, outputs) {
    const out = outputs[0][0];
    if (!this.playing && this.queued >= sampleRate * 0.04) this.playing = true;
    let i = 0;
    while (this.playing && i < out.length && this.queue.length > 0) {
      const head = this.queue[0];
      const take = Math.min(out.length - i, head.length - this.offset);
      out.set(head.subarray(this.offset, this.offset + take), i);
      i += take;
      this.offset += take;
      this.queued -= take;
      if (this.offset === head.length) { this.queue.shift(); this.offset = 0; }
    }
    if (i < out.length) { out.fill(0, i); if (this.queue.length === 0) this.playing = false; }
    for (let c = 1; c < outputs[0].length; c++) outputs[0][c].set(out);
    return true;
  }
}

registerProcessor('network-audio-player', NetworkAudioPlayer);
