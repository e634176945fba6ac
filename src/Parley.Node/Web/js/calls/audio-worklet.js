// Plays decoded audio from the network: samples arrive in 20 ms pieces from the media worker and
// are played from an adaptive buffer (jitter-buffer.js).

import { JitterBuffer } from './jitter-buffer.js';

class NetworkAudioPlayer extends AudioWorkletProcessor {
  constructor() {
    super();
    this.buffer = new JitterBuffer(sampleRate);
    this.port.onmessage = event => {
      if (event.data === 'flush') this.buffer.flush();
      else if (event.data.port) event.data.port.onmessage = samples => this.buffer.take(samples.data); // the media worker's channel
    };
  }

  process(inputs, outputs) {
    const out = outputs[0][0];
    const played = this.buffer.play(out);
    out.fill(0, played);
    for (let c = 1; c < outputs[0].length; c++) outputs[0][c].set(out);
    return true;
  }
}

registerProcessor('network-audio-player', NetworkAudioPlayer);
