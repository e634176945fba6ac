// The call bench's probe, added to every page before its own scripts run. The camera becomes a
// canvas at 30 frames a second (1280x720, or smaller when the page asks for less or the bench caps it:
// localStorage 'parley-bench-camera-height') whose top rows carry the time each frame was captured and
// the sender's number (localStorage 'parley-bench-sender', 0-15: the room bench tells three senders
// apart) in 32 black or white blocks, and their inverse below as a check; received frames are read back
// to take that time out again. The scene is drawn in 1280-wide coordinates scaled to the canvas, so
// the blocks are always a 32nd of the width and the reader needs no size. Both arms meet it the same way: the camera through getUserMedia, and
// the received video as a track read on the page's main thread (Parley's track generators, WebRTC's
// received track).
(() => {
  const W = 1280, H = 720, BITS = 32, BLOCK = W / BITS, SENDER_BITS = 4, CLOCK = 2 ** (BITS - SENDER_BITS);
  // latencies: every stamped frame read; bySender: the same, by the number of the page that sent it.
  const probe = window.__probe = { latencies: [], bySender: {} };
  const ownNumber = Number(localStorage.getItem('parley-bench-sender') ?? 0) % 2 ** SENDER_BITS;

  function stampedCamera(asked) {
    const height = Math.min(asked?.height?.ideal ?? H, Number(localStorage.getItem('parley-bench-camera-height') ?? H));
    const canvas = Object.assign(document.createElement('canvas'), { width: Math.round(height * 16 / 9), height });
    const context = canvas.getContext('2d');
    context.scale(canvas.width / W, canvas.width / W);
    const track = canvas.captureStream(0).getVideoTracks()[0];
    let n = 0;
    const timer = setInterval(() => {
      if (track.readyState === 'ended') { clearInterval(timer); return; }
      n++;
      // A moving scene, so the encoder has a camera's kind of work to do.
      context.fillStyle = `hsl(${(n * 3) % 360} 55% 35%)`;
      context.fillRect(0, 0, W, H);
      context.fillStyle = '#e8e8e8';
      context.fillRect((n * 9) % (W - 240), 240, 240, 240);
      context.font = '64px sans-serif';
      context.fillText(`frame ${n}`, 80, 640);
      const stamp = ownNumber * CLOCK + Date.now() % CLOCK;
      for (let i = 0; i < BITS; i++) {
        const bit = Math.floor(stamp / 2 ** (BITS - 1 - i)) % 2;
        context.fillStyle = bit ? '#fff' : '#000';
        context.fillRect(i * BLOCK, 0, BLOCK, BLOCK);
        context.fillStyle = bit ? '#000' : '#fff';
        context.fillRect(i * BLOCK, BLOCK, BLOCK, BLOCK);
      }
      track.requestFrame();
    }, 1000 / 30);
    return track;
  }

  const reader = new OffscreenCanvas(W, 2 * BLOCK).getContext('2d', { willReadFrequently: true });
  const even = n => Math.ceil(n / 2) * 2;
  /**
   * The brightness at (x, y) of the stamp rows, given in 1280-wide coordinates. YUV frames (what decoders
   * give) are read from their luma plane, and only the stamp's rows, so reading costs each arm little;
   * RGB frames are drawn once.
   */
  function stampRows(frame) {
    const scale = frame.displayWidth / W;
    if (['I420', 'I420A', 'I422', 'I444', 'NV12'].includes(frame.format)) {
      const rect = { x: 0, y: 0, width: even(frame.visibleRect.width), height: Math.min(even(2 * BLOCK * scale + 2), frame.visibleRect.height) };
      const bytes = new Uint8Array(frame.allocationSize({ rect }));
      return frame.copyTo(bytes, { rect }).then(([luma]) => (x, y) => bytes[luma.offset + Math.floor(y * scale) * luma.stride + Math.floor(x * scale)]);
    }
    reader.drawImage(frame, 0, 0, W, frame.displayHeight / scale);
    const px = reader.getImageData(0, 0, W, 2 * BLOCK).data;
    return Promise.resolve((x, y) => px[(Math.floor(y) * W + Math.floor(x)) * 4 + 1]);
  }

  /** Takes the capture time out of a decoded frame and keeps now minus it; reads a clone, so the caller may close or hand on its frame at once. */
  probe.read = async frame => {
    const now = Date.now();
    const copy = frame.clone();
    const at = await stampRows(copy).finally(() => copy.close());
    let stamp = 0;
    for (let i = 0; i < BITS; i++) {
      const x = i * BLOCK + BLOCK / 2;
      const top = at(x, BLOCK / 2), bottom = at(x, BLOCK * 1.5);
      if (Math.abs(top - bottom) < 80) return; // not a stamped frame (or too blurred to read)
      stamp = stamp * 2 + (top > bottom ? 1 : 0);
    }
    const latency = (now % CLOCK - stamp % CLOCK + CLOCK) % CLOCK;
    if (latency >= 10_000) return;
    probe.latencies.push(latency);
    (probe.bySender[Math.floor(stamp / CLOCK)] ??= []).push(latency);
  };

  // The room bench's same-codec anchor: a page told to ('parley-bench-video-codecs' = 'vp8') claims it can encode no other
  // video codec, so a 1:1 call agrees on VP8 as a room call uses, where a two-core machine would pick H.264.
  const only = localStorage.getItem('parley-bench-video-codecs');
  if (only) {
    const isConfigSupported = VideoEncoder.isConfigSupported.bind(VideoEncoder);
    VideoEncoder.isConfigSupported = async config => config.codec.startsWith(only) ? isConfigSupported(config) : { supported: false, config };
  }

  const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async constraints => {
    const media = constraints.audio ? await getUserMedia({ audio: constraints.audio }) : new MediaStream();
    if (constraints.video) media.addTrack(stampedCamera(constraints.video));
    return media;
  };

  // Parley's counters live on its media worker, which answers a 'stats' message with them at once.
  const PageWorker = window.Worker;
  window.Worker = class extends PageWorker {
    constructor(...args) { super(...args); probe.worker = this; }
  };
  // Parley's pages on WebRTC's engine: a relay-only peer connection to their node. Its counters are WebRTC's own,
  // read for the camera's transceiver (the second); the probe reads the camera track it receives.
  const Connection = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Connection {
    constructor(config) {
      super(config);
      if (config?.iceTransportPolicy !== 'relay') return;
      probe.parleyPc = this;
      const waiting = setInterval(() => {
        const camera = this.getTransceivers()[1];
        if (camera?.mid == null) return;
        clearInterval(waiting);
        readTrack(camera.receiver.track);
      }, 50);
    }
  };
  /**
   * A WebRTC engine's video counters (the camera's transceiver only when `mid` is given), with the means the
   * browser itself keeps for a frame's stages: in the encoder, in the pacer (first to last packet sent), in
   * the jitter buffer (arrival to decode), in the decoder.
   */
  const rtcCounts = async (pc, mid) => {
    const c = { encoded: 0, decoded: 0, packetsLost: 0, packetsReceived: 0, nacks: 0, encodeSeconds: 0, decodeSeconds: 0, sendDelaySeconds: 0, packetsSent: 0, jitterSeconds: 0, emitted: 0 };
    (await pc.getStats()).forEach(s => {
      if (s.kind !== 'video' || (mid !== undefined && s.mid !== mid)) return;
      if (s.type === 'outbound-rtp') {
        c.encoded += s.framesEncoded ?? 0; c.encodeSeconds += s.totalEncodeTime ?? 0; c.size = `${s.frameWidth}x${s.frameHeight}`; c.limit = s.qualityLimitationReason; c.encoder = s.encoderImplementation;
        c.sendDelaySeconds += s.totalPacketSendDelay ?? 0; c.packetsSent += s.packetsSent ?? 0;
      }
      if (s.type === 'inbound-rtp') {
        c.decoded += s.framesDecoded ?? 0; c.decodeSeconds += s.totalDecodeTime ?? 0; c.packetsLost += s.packetsLost ?? 0; c.packetsReceived += s.packetsReceived ?? 0; c.nacks += s.nackCount ?? 0;
        c.jitterSeconds += s.jitterBufferDelay ?? 0; c.emitted += s.jitterBufferEmittedCount ?? 0;
      }
    });
    return c;
  };
  const parleyWebRtcStats = async () => {
    const c = await rtcCounts(probe.parleyPc, probe.parleyPc.getTransceivers()[1].mid);
    return { sent: { video: c.encoded }, decoded: { video: c.decoded }, encodeMs: 1000 * c.encodeSeconds / Math.max(1, c.encoded), decodeMs: 1000 * c.decodeSeconds / Math.max(1, c.decoded), counts: c };
  };
  probe.rtcCounts = rtcCounts;
  probe.parleyCounts = () => rtcCounts(probe.parleyPc, probe.parleyPc.getTransceivers()[1].mid);
  probe.parleyStats = () => probe.parleyPc ? parleyWebRtcStats() : new Promise(resolve => {
    const worker = probe.worker;
    worker.addEventListener('message', function answer({ data }) {
      if (data.type !== 'stats') return;
      worker.removeEventListener('message', answer);
      resolve(data.stats);
    });
    worker.postMessage({ type: 'stats' });
  });

  /** Reads every frame a received track shows, as a page's tile would show it. */
  probe.readTrack = readTrack;
  function readTrack(track) {
    const frames = new MediaStreamTrackProcessor({ track }).readable.getReader();
    (async () => {
      for (;;) {
        const { value, done } = await frames.read();
        if (done) return;
        probe.read(value);
        value.close();
      }
    })();
  }

  // Parley decodes on its media worker and shows the frames through track generators: the probe reads a clone of each.
  const Generator = window.MediaStreamTrackGenerator;
  window.MediaStreamTrackGenerator = class extends Generator {
    constructor(init) { super(init); if (init.kind === 'video') readTrack(this.clone()); }
  };

  /** A video element on the page, as a call app shows its tiles (Parley's page shows the local preview and the remote picture). */
  function show(stream, muted) {
    const video = Object.assign(document.createElement('video'), { srcObject: stream, muted, autoplay: true, playsInline: true });
    video.style.cssText = 'position: fixed; bottom: 0; width: 640px; height: 360px; z-index: 10;' + (muted ? 'right: 0;' : 'left: 0;');
    document.body.append(video);
    video.play().catch(() => {});
  }

  /** Starts WebRTC's send rate where Parley's starts (1 Mbit/s) instead of its usual 300 kbit/s ramp, for every payload type of the codec. */
  function startBitrate(description, mime) {
    const name = mime.split('/')[1];
    for (const [, type] of description.sdp.matchAll(new RegExp(`a=rtpmap:(\\d+) ${name}/90000`, 'g'))) {
      const fmtp = new RegExp(`a=fmtp:${type} ([^\\r]*)`);
      description.sdp = fmtp.test(description.sdp)
        ? description.sdp.replace(fmtp, (line, parameters) => `a=fmtp:${type} ${parameters};x-google-start-bitrate=1000`)
        : description.sdp.replace(`a=rtpmap:${type} ${name}/90000\r\n`, line => `${line}a=fmtp:${type} x-google-start-bitrate=1000\r\n`);
    }
    return description;
  }

  /** The anchor: Chromium's own WebRTC between this page and another, the codec Parley's call used both ways, the same camera, kept at 720p. */
  probe.webrtc = {
    async start(offer, mime) {
      const pc = probe.pc = new RTCPeerConnection();
      const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      for (const track of media.getTracks()) pc.addTrack(track, media);
      show(media, true);
      pc.ontrack = ({ track, streams }) => {
        if (track.kind !== 'video') return;
        show(streams[0] ?? new MediaStream([track]), false);
        readTrack(track);
      };
      for (const transceiver of pc.getTransceivers()) {
        if (transceiver.sender.track?.kind !== 'video') continue;
        const codecs = RTCRtpReceiver.getCapabilities('video').codecs;
        transceiver.setCodecPreferences([...codecs.filter(c => c.mimeType === mime), ...codecs.filter(c => c.mimeType !== mime)]);
      }
      if (offer) { await pc.setRemoteDescription(offer); await pc.setLocalDescription(startBitrate(await pc.createAnswer(), mime)); }
      else await pc.setLocalDescription(startBitrate(await pc.createOffer(), mime));
      for (const sender of pc.getSenders().filter(s => s.track?.kind === 'video')) {
        // Parley sends the camera's 1280x720 as it is; WebRTC would shrink it first on a busy machine. Same picture, same work.
        const parameters = sender.getParameters();
        parameters.degradationPreference = 'maintain-resolution';
        await sender.setParameters(parameters);
      }
      await new Promise(resolve => { if (pc.iceGatheringState === 'complete') resolve(); else pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve(); });
      return { type: pc.localDescription.type, sdp: pc.localDescription.sdp };
    },
    async finish(answer) { await probe.pc.setRemoteDescription(answer); },
    counts() { return rtcCounts(probe.pc); },
  };
})();
