// The call bench's probe, added to every page before its own scripts run. The camera becomes a
// 1280x720 canvas at 30 frames a second whose top rows carry the time each frame was captured
// (32 black or white blocks, and their inverse below as a check); decoded frames are read back to
// take that time out again. Parley's engine meets it through getUserMedia, VideoEncoder and
// VideoDecoder; the WebRTC anchor through getUserMedia and the received track.
(() => {
  const W = 1280, H = 720, BITS = 32, BLOCK = W / BITS, TWO32 = 2 ** 32;
  const probe = window.__probe = { latencies: [], encoded: 0, decoded: 0, unreadable: 0 };

  function stampedCamera() {
    const canvas = Object.assign(document.createElement('canvas'), { width: W, height: H });
    const context = canvas.getContext('2d');
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
      const stamp = Date.now() % TWO32;
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
  /** Takes the capture time out of a decoded frame (scaled back to 1280 wide) and keeps now minus it. */
  probe.read = frame => {
    const now = Date.now();
    reader.drawImage(frame, 0, 0, W, frame.displayHeight * W / frame.displayWidth);
    const px = reader.getImageData(0, 0, W, 2 * BLOCK).data;
    let stamp = 0;
    for (let i = 0; i < BITS; i++) {
      const x = Math.floor(i * BLOCK + BLOCK / 2);
      const top = px[(Math.floor(BLOCK / 2) * W + x) * 4 + 1], bottom = px[(Math.floor(BLOCK * 1.5) * W + x) * 4 + 1];
      if (Math.abs(top - bottom) < 80) { probe.unreadable++; return; }
      stamp = stamp * 2 + (top > bottom ? 1 : 0);
    }
    const latency = (now % TWO32 - stamp + TWO32) % TWO32;
    if (latency < 10_000) probe.latencies.push(latency); else probe.unreadable++;
  };

  const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async constraints => {
    const media = constraints.audio ? await getUserMedia({ audio: constraints.audio }) : new MediaStream();
    if (constraints.video) media.addTrack(stampedCamera());
    return media;
  };

  const Encoder = window.VideoEncoder;
  window.VideoEncoder = class extends Encoder {
    constructor(init) { super({ ...init, output: (chunk, meta) => { probe.encoded++; init.output(chunk, meta); } }); }
  };
  const Decoder = window.VideoDecoder;
  window.VideoDecoder = class extends Decoder {
    constructor(init) { super({ ...init, output: frame => { probe.decoded++; probe.read(frame); init.output(frame); } }); }
  };

  /** A video element on the page, as a call app shows its tiles (Parley's page shows the local preview and the remote picture). */
  function show(stream, muted) {
    const video = Object.assign(document.createElement('video'), { srcObject: stream, muted, autoplay: true, playsInline: true });
    video.style.cssText = 'position: fixed; bottom: 0; width: 640px; height: 360px; z-index: 10;' + (muted ? 'right: 0;' : 'left: 0;');
    document.body.append(video);
    video.play().catch(() => {});
  }

  /** Starts WebRTC's send rate where Parley's starts (1 Mbit/s) instead of its usual 300 kbit/s ramp. */
  function startBitrate(description) {
    const vp8 = description.sdp.match(/a=rtpmap:(\d+) VP8\/90000\r\n/);
    if (vp8) description.sdp = description.sdp.replace(vp8[0], `${vp8[0]}a=fmtp:${vp8[1]} x-google-start-bitrate=1000\r\n`);
    return description;
  }

  /** The anchor: Chromium's own WebRTC between this page and another, VP8 both ways, the same camera, kept at 720p. */
  probe.webrtc = {
    async start(offer) {
      const pc = probe.pc = new RTCPeerConnection();
      const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      for (const track of media.getTracks()) pc.addTrack(track, media);
      show(media, true);
      pc.ontrack = ({ track, streams }) => {
        if (track.kind !== 'video') return;
        show(streams[0] ?? new MediaStream([track]), false);
        const frames = new MediaStreamTrackProcessor({ track }).readable.getReader();
        (async () => {
          for (;;) {
            const { value, done } = await frames.read();
            if (done) return;
            probe.decoded++;
            probe.read(value);
            value.close();
          }
        })();
      };
      for (const transceiver of pc.getTransceivers()) {
        if (transceiver.sender.track?.kind !== 'video') continue;
        const codecs = RTCRtpReceiver.getCapabilities('video').codecs;
        transceiver.setCodecPreferences([...codecs.filter(c => c.mimeType === 'video/VP8'), ...codecs.filter(c => c.mimeType !== 'video/VP8')]);
      }
      if (offer) { await pc.setRemoteDescription(offer); await pc.setLocalDescription(startBitrate(await pc.createAnswer())); }
      else await pc.setLocalDescription(startBitrate(await pc.createOffer()));
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
    async counts() {
      const counts = { encoded: 0, decoded: 0, packetsLost: 0, packetsReceived: 0, nacks: 0 };
      (await probe.pc.getStats()).forEach(s => {
        if (s.type === 'outbound-rtp' && s.kind === 'video') { counts.encoded += s.framesEncoded ?? 0; counts.size = `${s.frameWidth}x${s.frameHeight}`; counts.limit = s.qualityLimitationReason; }
        if (s.type === 'inbound-rtp' && s.kind === 'video') {
          counts.decoded += s.framesDecoded ?? 0; counts.packetsLost += s.packetsLost ?? 0; counts.packetsReceived += s.packetsReceived ?? 0; counts.nacks += s.nackCount ?? 0;
        }
      });
      return counts;
    },
  };
})();
