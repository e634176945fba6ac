// Frames between this page and its node over the call's media WebSocket (see PageFrame.cs):
// stream u8 (0 audio, 1 video, 2 screen) | flags u8 (1 keyframe, bits 1-2 temporal layer) | codec u8 | timestamp u32 | data.

export const STREAM = { audio: 0, video: 1, screen: 2 };
export const HEADER = 7;

/** An EncodedAudioChunk or EncodedVideoChunk as one message. `clock` is the stream's rate (48 kHz audio, 90 kHz video); `layer` its temporal layer (0-3). */
export function encodeChunk(stream, chunk, codec, clock, layer = 0) {
  const bytes = new Uint8Array(HEADER + chunk.byteLength);
  bytes[0] = stream;
  bytes[1] = (chunk.type === 'key' ? 1 : 0) | ((layer & 3) << 1);
  bytes[2] = codec;
  new DataView(bytes.buffer).setUint32(3, Math.round(chunk.timestamp * clock / 1e6) >>> 0);
  chunk.copyTo(bytes.subarray(HEADER));
  return bytes;
}

/** A message from the node: { stream, key, codec, timestamp (in the stream's clock), data }; `at` where the page frame starts in it. */
export function decodeFrame(buffer, at = 0) {
  const view = new DataView(buffer, at);
  return {
    stream: view.getUint8(0),
    key: (view.getUint8(1) & 1) === 1,
    codec: view.getUint8(2),
    timestamp: view.getUint32(3),
    data: new Uint8Array(buffer, at + HEADER),
  };
}
