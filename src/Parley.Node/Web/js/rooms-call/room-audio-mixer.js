// Plays a room call's voices together: each other participant's decoded audio comes from the media
// worker over a port of its own into a jitter buffer of its own (jitter-buffer.js), and each
// render quantum sums them. Your own voice never comes here: the hub never sends it back.

import { JitterBuffer } from '../calls/jitter-buffer.js';

class RoomAudioMixer extends AudioWorkletProcessor {
  constructor() {
    super();
    this.voices = new Map(); // participant → its JitterBuffer
    this.port.onmessage = ({ data }) => {
      if (data.add !== undefined) {
        const buffer = new JitterBuffer(sampleRate);
        this.voices.set(data.add, buffer);
        data.port.onmessage = samples => buffer.take(samples.data);
      } else if (data.remove !== undefined) this.voices.delete(data.remove);
      else if (data === 'flush') this.voices.clear();
    };
  }

  process(inputs, outputs) {
    const out = outputs[0][0];
    out.fill(0);
    for (const voice of this.voices.values()) voice.play(out, true);
    for (let i = 0; i < out.length; i++) out[i] = Math.max(-1, Math.min(1, out[i])); // several loud voices at once must not wrap
    for (let c = 1; c < outputs[0].length; c++) outputs[0][c].set(out);
    return true;
  }
}

registerProcessor('room-audio-mixer', RoomAudioMixer);
