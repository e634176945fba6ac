// The room call bench's Janus arm, added to the bench's pages beside call-probe.js: the same three pages in a
// Janus VideoRoom (Debian's janus, its HTTP transport). Not through janus.js (libjs-janus-gateway): it wants
// webrtc-adapter's global from another package, and hides the peer connections; the page speaks the transport's JSON
// itself, with the plain RTCPeerConnection the probe's WebRTC anchor uses. Each page publishes its probe
// camera (360p, VP8, audio too) on one peer connection and subscribes to each other page's feed on one more; the
// probe reads every frame the subscriptions show, and their voices are played. The page runs on Janus's own origin, so no CORS or CSP is in the
// way. Non-trickle ICE: every offer and answer carries its candidates.
(() => {
  const janus = window.__janus = { connections: [] };
  let base = '', session = null;
  const events = [];
  const wakers = [];
  const transaction = () => Math.random().toString(36).slice(2);

  async function post(path, body) {
    const reply = await (await fetch(base + path, { method: 'POST', body: JSON.stringify({ ...body, transaction: transaction() }) })).json();
    if (reply.janus === 'error' || reply.plugindata?.data?.error) throw new Error(JSON.stringify(reply));
    return reply;
  }

  /** Janus's HTTP transport hands events out on a long poll of the session (which also keeps it alive). */
  async function poll() {
    while (session) {
      try {
        const got = await (await fetch(`${base}/${session}?maxev=10&rid=${Date.now()}`)).json();
        for (const event of [].concat(got)) if (event.janus !== 'keepalive') events.push(event);
        wakers.splice(0).forEach(wake => wake());
      } catch {
        await new Promise(resolve => setTimeout(resolve, 100));
      }
    }
  }

  async function next(handle, test) {
    for (;;) {
      const at = events.findIndex(e => e.sender === handle && test(e));
      if (at >= 0) return events.splice(at, 1)[0];
      await new Promise(resolve => wakers.push(resolve));
    }
  }

  const attach = async () => (await post(`/${session}`, { janus: 'attach', plugin: 'janus.plugin.videoroom' })).data.id;
  const message = (handle, body, jsep) => post(`/${session}/${handle}`, { janus: 'message', body, ...(jsep ? { jsep } : {}) });
  const gathered = pc => new Promise(resolve => {
    if (pc.iceGatheringState === 'complete') resolve();
    else pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
  });
  const description = pc => ({ type: pc.localDescription.type, sdp: pc.localDescription.sdp, trickle: false });

  function show(track) {
    const video = Object.assign(document.createElement('video'), { srcObject: new MediaStream([track]), muted: true, autoplay: true, playsInline: true });
    video.width = 640;
    document.body.append(video);
    video.play().catch(() => {});
  }

  /** Joins `room` as publisher `id` (the page's sender number) and publishes camera and microphone. */
  janus.publish = async (url, room, id, name) => {
    base = url;
    session = (await post('', { janus: 'create' })).data.id;
    poll();
    const handle = await attach();
    await message(handle, { request: 'join', ptype: 'publisher', room, id, display: name });
    await next(handle, e => e.plugindata?.data?.videoroom === 'joined');
    const pc = new RTCPeerConnection();
    janus.connections.push(pc);
    const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: { height: { ideal: 360 } } });
    for (const track of media.getTracks()) pc.addTransceiver(track, { direction: 'sendonly', streams: [media] });
    for (const transceiver of pc.getTransceivers().filter(t => t.sender.track?.kind === 'video')) {
      const codecs = RTCRtpSender.getCapabilities('video').codecs;
      transceiver.setCodecPreferences([...codecs.filter(c => c.mimeType === 'video/VP8'), ...codecs.filter(c => c.mimeType !== 'video/VP8')]);
    }
    await pc.setLocalDescription(await pc.createOffer());
    for (const sender of pc.getSenders().filter(s => s.track?.kind === 'video')) {
      // As Parley sends its 360p as captured, WebRTC keeps the size and lowers the frame rate if it must.
      const parameters = sender.getParameters();
      parameters.degradationPreference = 'maintain-resolution';
      await sender.setParameters(parameters);
    }
    await gathered(pc);
    await message(handle, { request: 'publish', audio: true, video: true }, description(pc));
    await pc.setRemoteDescription((await next(handle, e => e.jsep)).jsep);
  };

  /** Subscribes to publisher `feed` in `room`: its video is shown and read by the probe. */
  janus.subscribe = async (room, feed) => {
    const handle = await attach();
    await message(handle, { request: 'join', ptype: 'subscriber', room, feed });
    const offer = (await next(handle, e => e.jsep)).jsep;
    const pc = new RTCPeerConnection();
    janus.connections.push(pc);
    pc.ontrack = ({ track }) => {
      if (track.kind === 'audio') {
        // Played, as Parley's pages play every voice: both arms do that work.
        const audio = new Audio();
        audio.srcObject = new MediaStream([track]);
        audio.play().catch(() => {});
        return;
      }
      show(track);
      window.__probe.readTrack(track);
    };
    await pc.setRemoteDescription(offer);
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    await message(handle, { request: 'start', room }, description(pc));
  };

  /** Closes the connections and the session. */
  janus.stop = async () => {
    janus.connections.forEach(pc => pc.close());
    const ended = session;
    session = null;
    if (ended) await post(`/${ended}`, { janus: 'destroy' }).catch(() => {});
  };
})();
