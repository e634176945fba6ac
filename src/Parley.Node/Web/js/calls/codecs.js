// The codecs a call may use, by the names the node gives them: the byte that marks each in a
// frame (PageFrame.cs) and the string WebCodecs knows it by.

export const CODEC_BYTE = { vp8: 1, vp9: 2, h264: 4, opus: 16 };
export const CODEC_STRING = { vp8: 'vp8', vp9: 'vp09.00.10.08', h264: 'avc1.42002a' };

/**
 * The video codecs this browser can both encode and decode, as the node names them, best first (the
 * answering page's first choice that the caller offered is used). VP8 leads, except on a machine of one
 * or two cores: there Chromium's VP8 encoder splits 720p between two threads that spin-wait for each
 * other, and with the CPU short a frame took over a second to encode, where H.264 took 5 ms.
 */
export async function supportedCodecs() {
  const order = navigator.hardwareConcurrency <= 2 ? ['h264', 'vp8', 'vp9'] : ['vp8', 'vp9', 'h264'];
  const found = [];
  for (const name of order) {
    const codec = CODEC_STRING[name];
    const config = { codec, width: 1280, height: 720, bitrate: 1_000_000, framerate: 30 };
    try {
      if ((await VideoEncoder.isConfigSupported(config)).supported && (await VideoDecoder.isConfigSupported({ codec })).supported) found.push(name);
    } catch { /* not this one */ }
  }
  return found;
}
