// The page's side of a call on Chromium's own WebRTC engine ("webrtc"): capture, encoding, rate
// control, loss recovery and decoding are WebRTC's, on its own high-priority threads; Parley carries
// its packets. The page's only ICE server is its own node's TURN socket (relay candidates only), so
// every packet goes page → node → (the call's encrypted media path: direct UDP, hub relay, TURN or
// the TLS link) → node → page, and no address of this machine is ever shown to the peer. The two
// pages' session descriptions travel over the nodes' TLS link (the media channel's "signal"
// notices), so their DTLS-SRTP is end to end and keyed to fingerprints no one in between can change.
// The same face as CallEngine (engine.js): the call view and session.js use either.

import { STREAM } from './frames.js';
import { cameraConstraints, engineState } from './media-stats.js';

const STATS_EVERY_MS = 250;
const GATHER_WAIT_MS = 3000; // the node's TURN answers in a millisecond; past this, send what was gathered
const SCREEN_SHOWN_MS = 1000; // screen frames this recent mean the peer is sharing
const START_KBPS = 1000; // WebRTC's usual 300 kbit/s start takes seconds to reach a sharp picture
const MIME = { vp8: 'video/VP8', vp9: 'video/VP9', h264: 'video/H264' };
const ORDER = [STREAM.audio, STREAM.video, STREAM.screen]; // transceivers, in this order on both pages (mids 0, 1, 2)
const NAME = { [STREAM.audio]: 'audio', [STREAM.video]: 'video', [STREAM.screen]: 'screen' };

export class WebRtcCallEngine {
  constructor(call, handlers) {
    Object.assign(this, engineState(call, handlers));
    this.remote = { video: remoteVideo(), screen: remoteVideo() };
    this.remoteAudio = Object.assign(document.createElement('audio'), { autoplay: true });
    this.tracks = { [STREAM.audio]: null, [STREAM.video]: null, [STREAM.screen]: null };
    this.screenSeenAt = -Infinity;
    this.lastCounts = null;
  }

  /** Opens the media channel (signals and notices), the peer connection and capture. Call from a click (audio needs a gesture). */
  async start() {
    this.pc = new RTCPeerConnection({ iceServers: [this.call.turn], iceTransportPolicy: 'relay', bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    this.pc.onconnectionstatechange = () => { if (this.pc.connectionState === 'failed') this.stop('the media connection failed'); };
    this.socket = await openChannel(this.call.id, notice => this.onNotice(notice), () => this.stop('the media channel closed'));
    await this.capture();
    if (this.call.outgoing) {
      for (const stream of ORDER) this.pc.addTransceiver(stream === STREAM.audio ? 'audio' : 'video', { direction: 'sendrecv' });
      await this.attach();
      await this.pc.setLocalDescription(startBitrate(await this.pc.createOffer(), MIME[this.codec]));
      this.signal(await this.gathered());
    }
    this.statsTimer = setInterval(() => this.readStats().catch(() => {}), STATS_EVERY_MS);
  }

  async onNotice(notice) {
    if (notice.type === 'ended') { this.stop(notice.reason, notice.byPeer); return; }
    if (notice.type !== 'signal' || this.ended) return;
    try {
      if (notice.kind === 'offer' && !this.call.outgoing) {
        await this.pc.setRemoteDescription({ type: 'offer', sdp: notice.sdp });
        for (const transceiver of this.pc.getTransceivers()) transceiver.direction = 'sendrecv';
        await this.attach();
        await this.pc.setLocalDescription(startBitrate(await this.pc.createAnswer(), MIME[this.codec]));
        this.signal(await this.gathered());
      } else if (notice.kind === 'answer' && this.call.outgoing) {
        await this.pc.setRemoteDescription({ type: 'answer', sdp: notice.sdp });
      }
    } catch (e) {
      this.stop(`could not agree on media: ${e.message}`);
    }
  }

  /** The transceivers by stream (mids 0, 1, 2), once both descriptions name them. */
  transceiver(stream) { return this.pc.getTransceivers()[ORDER.indexOf(stream)]; }

  /** Tracks into the transceivers, the codec first, the remote tracks into the tiles; before the description is made. */
  async attach() {
    const codecs = RTCRtpReceiver.getCapabilities('video').codecs;
    const preferred = [...codecs.filter(c => c.mimeType === MIME[this.codec]), ...codecs.filter(c => c.mimeType !== MIME[this.codec])];
    for (const stream of [STREAM.video, STREAM.screen]) this.transceiver(stream).setCodecPreferences(preferred);
    this.remote.video.show(this.transceiver(STREAM.video).receiver.track);
    this.remote.screen.show(this.transceiver(STREAM.screen).receiver.track);
    this.remoteAudio.srcObject = new MediaStream([this.transceiver(STREAM.audio).receiver.track]);
    this.remoteAudio.play().catch(() => {});
    for (const stream of ORDER) await this.send(stream);
  }

  /** What a stream's sender sends now: its track unless muted, camera off or not sharing; with its encoding settings. */
  async send(stream) {
    const transceiver = this.pc && this.transceiver(stream);
    if (!transceiver) return;
    const track = this.tracks[stream];
    const on = stream === STREAM.audio ? !this.muted : stream === STREAM.video ? this.cameraOn : true;
    await transceiver.sender.replaceTrack(on ? track : null); // nothing leaves this page while muted
    const parameters = transceiver.sender.getParameters();
    if (!parameters.encodings?.length) return; // before negotiation: set again once negotiated
    // A camera gives up resolution before frame rate when the machine is short of CPU; a shared screen the other way round (text must stay sharp).
    if (stream !== STREAM.audio) parameters.degradationPreference = stream === STREAM.video ? 'maintain-framerate' : 'maintain-resolution';
    if (stream === STREAM.audio) parameters.encodings[0].maxBitrate = this.quality.audioBitrate;
    await transceiver.sender.setParameters(parameters).catch(() => {});
  }

  /** Waits for ICE gathering (relay candidates from the node), then gives the description to send. */
  async gathered() {
    if (this.pc.iceGatheringState !== 'complete') {
      await new Promise(resolve => {
        const timer = setTimeout(resolve, GATHER_WAIT_MS);
        this.pc.addEventListener('icegatheringstatechange', () => { if (this.pc.iceGatheringState === 'complete') { clearTimeout(timer); resolve(); } });
      });
    }
    return this.pc.localDescription;
  }

  signal(description) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ type: 'signal', kind: description.type, sdp: description.sdp }));
    // The settings that need negotiated encodings (degradation, audio bitrate) are set once the answer is in; for the caller, see readStats.
    for (const stream of ORDER) this.send(stream).catch(() => {});
  }

  /** Microphone (and camera for a video call) with the chosen devices and quality; replaces what was captured. */
  async capture() {
    for (const stream of [STREAM.audio, STREAM.video]) this.tracks[stream]?.stop();
    const media = await navigator.mediaDevices.getUserMedia({
      audio: { deviceId: this.devices.mic, sampleRate: this.quality.sampleRate, channelCount: 1, echoCancellation: true, noiseSuppression: true },
      video: this.call.video ? cameraConstraints(this.devices.camera, this.quality.maxHeight) : false,
    });
    if (this.ended) { media.getTracks().forEach(t => t.stop()); return; }
    this.localVideo.srcObject = media;
    this.tracks[STREAM.audio] = media.getAudioTracks()[0];
    this.tracks[STREAM.video] = media.getVideoTracks()[0] ?? null;
    if (this.tracks[STREAM.video]) this.tracks[STREAM.video].contentHint = 'motion';
    if (this.pc?.getTransceivers().length === ORDER.length) for (const stream of [STREAM.audio, STREAM.video]) await this.send(stream);
  }

  /** The counters the call view shows, from WebRTC's own statistics, in the WebCodecs engine's shape. */
  async readStats() {
    if (this.ended || this.pc.getTransceivers().length < ORDER.length) return;
    const mids = new Map(ORDER.map(stream => [this.transceiver(stream).mid, NAME[stream]]));
    const counts = { sent: { audio: 0, video: 0, screen: 0 }, decoded: { video: 0, screen: 0 }, encodeSeconds: 0, encoded: 0, decodeSeconds: 0, decodedAll: 0 };
    let localLevel = 0;
    let remoteLevel = 0;
    (await this.pc.getStats()).forEach(s => {
      const stream = mids.get(s.mid);
      if (s.type === 'outbound-rtp') {
        counts.sent[stream] = s.kind === 'audio' ? s.packetsSent ?? 0 : s.framesEncoded ?? 0;
        if (s.kind === 'video') { counts.encodeSeconds += s.totalEncodeTime ?? 0; counts.encoded += s.framesEncoded ?? 0; }
      } else if (s.type === 'inbound-rtp') {
        if (s.kind === 'audio') remoteLevel = s.audioLevel ?? 0;
        else { counts.decoded[stream] = s.framesDecoded ?? 0; counts.decodeSeconds += s.totalDecodeTime ?? 0; counts.decodedAll += s.framesDecoded ?? 0; }
      } else if (s.type === 'media-source' && s.kind === 'audio') localLevel = s.audioLevel ?? 0;
    });
    const last = this.lastCounts ?? counts;
    if (counts.decoded.screen > last.decoded.screen) this.screenSeenAt = performance.now();
    const perFrame = (seconds, frames, lastSeconds, lastFrames) => frames > lastFrames ? 1000 * (seconds - lastSeconds) / (frames - lastFrames) : 0;
    this.stats = {
      sent: counts.sent,
      decoded: counts.decoded,
      audioFrames: 0,
      remoteLevel,
      localLevel: this.muted ? 0 : localLevel,
      encodeMs: perFrame(counts.encodeSeconds, counts.encoded, last.encodeSeconds, last.encoded) || this.stats.encodeMs,
      decodeMs: perFrame(counts.decodeSeconds, counts.decodedAll, last.decodeSeconds, last.decodedAll) || this.stats.decodeMs,
      remoteSharing: performance.now() - this.screenSeenAt < SCREEN_SHOWN_MS,
    };
    this.lastCounts = counts;
    this.onStats?.();
  }

  remoteSharing() { return this.stats.remoteSharing; }

  setMuted(muted) { this.muted = muted; this.send(STREAM.audio).catch(() => {}); this.onChange?.(); }

  setCamera(on) { this.cameraOn = on; this.send(STREAM.video).catch(() => {}); this.onChange?.(); }

  /** Shares a screen or window beside the camera, on the third transceiver (no renegotiation). */
  async startShare() {
    const display = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { max: 15 } }, audio: false });
    const track = display.getVideoTracks()[0];
    if (this.ended) { track.stop(); return; }
    track.contentHint = 'detail';
    track.addEventListener('ended', () => this.stopShare());
    this.tracks[STREAM.screen] = track;
    await this.send(STREAM.screen);
    this.sharing = true;
    this.onChange?.();
  }

  stopShare() {
    this.tracks[STREAM.screen]?.stop();
    this.tracks[STREAM.screen] = null;
    this.send(STREAM.screen).catch(() => {});
    this.sharing = false;
    this.onChange?.();
  }

  /** Where the other side's voice plays: an audio output's device ID, '' for the default. */
  async setSpeaker(deviceId) {
    if (this.remoteAudio.setSinkId) await this.remoteAudio.setSinkId(deviceId);
  }

  async changeDevices(devices) { Object.assign(this.devices, devices); await this.capture(); }

  async changeQuality(quality) { Object.assign(this.quality, quality); await this.capture(); }

  /** Stops everything at once: capture, the peer connection, the channel, playback. Safe to call twice. */
  stop(reason, byPeer = false) {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.statsTimer);
    for (const track of Object.values(this.tracks)) track?.stop();
    this.localVideo.srcObject?.getTracks().forEach(t => t.stop());
    this.pc?.close();
    this.socket?.close();
    this.remoteAudio.srcObject = null;
    for (const remote of Object.values(this.remote)) remote.stop();
    this.onEnded?.(reason, byPeer);
  }
}

/** The call's media channel, for text notices only on this engine; resolves once open. */
function openChannel(callId, onNotice, onClosed) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/api/calls/${callId}/media`);
    socket.onopen = () => resolve(socket);
    socket.onerror = () => reject(new Error('could not open the media channel'));
    socket.onclose = () => onClosed();
    socket.onmessage = ({ data }) => { if (typeof data === 'string') onNotice(JSON.parse(data)); };
  });
}

/** Starts WebRTC's video at START_KBPS instead of its slow ramp, for every payload type of the codec. */
function startBitrate(description, mime) {
  let sdp = description.sdp;
  const name = mime.split('/')[1];
  for (const [, type] of sdp.matchAll(new RegExp(`a=rtpmap:(\\d+) ${name}/90000`, 'g'))) {
    const fmtp = new RegExp(`a=fmtp:${type} ([^\\r]*)`);
    sdp = fmtp.test(sdp)
      ? sdp.replace(fmtp, (line, parameters) => `a=fmtp:${type} ${parameters};x-google-start-bitrate=${START_KBPS}`)
      : sdp.replace(`a=rtpmap:${type} ${name}/90000\r\n`, line => `${line}a=fmtp:${type} x-google-start-bitrate=${START_KBPS}\r\n`);
  }
  return { type: description.type, sdp };
}

/** A <video> for a received track (shown as soon as its first frame comes). */
function remoteVideo() {
  const element = Object.assign(document.createElement('video'), { muted: true, autoplay: true, playsInline: true });
  return {
    element,
    show(track) { element.srcObject = new MediaStream([track]); element.play().catch(() => {}); },
    stop() { element.srcObject = null; },
  };
}
