// The media of a room call, on a worker of its own (as a 1:1 call's media-worker.js): the room call's
// media WebSocket to the node, this page's encoders (senders.js: the camera in three temporal layers,
// so the hub can give a weak receiver fewer frames) and one set of decoders per other participant
// (receivers.js), each with its own tiles' track writables and its own port to the audio mixer.
//
// From the page: start (the channel's URL), peer (a participant's writables and audio port), unpeer,
// track, untrack, state (muted, camera, sharing), stats, stop. To the page: open, participants (the
// node's list), stats (ten times a second: ours, each participant's, and frames that came back from
// our own participant ID, which must stay 0), firstFrame (a participant's first camera frame decoded), ended.

import { STREAM, encodeChunk, decodeFrame } from '../calls/frames.js';
import { Senders } from '../calls/senders.js';
import { Receivers } from '../calls/receivers.js';
import { newStats } from '../calls/media-stats.js';

const STATS_EVERY_MS = 100;
const CODEC = 'vp8'; // every page decodes VP8, and a room's senders cannot agree one codec per pair
const EARLY_FRAMES = 90; // frames kept for a participant this page has no decoders for yet: three seconds of camera

let room = null;

onmessage = ({ data }) => {
  if (data.type === 'start') room = startRoom(data.url);
  else if (data.type === 'peer') room?.addPeer(data);
  else if (data.type === 'unpeer') room?.removePeer(data.participant);
  else if (data.type === 'track') room?.senders.add(data.stream, data.readable, data.options);
  else if (data.type === 'untrack') room?.senders.remove(data.stream);
  else if (data.type === 'state') room?.setState(data);
  else if (data.type === 'stats') room?.report();
  else if (data.type === 'stop') { room?.stop(); close(); }
};

function startRoom(url) {
  const stats = newStats();
  const socket = new WebSocket(url);
  socket.binaryType = 'arraybuffer';
  const peers = new Map(); // participant → { receivers, stats }
  // Participant → its camera and screen frames from a keyframe on, come before the page made its decoders: the node
  // sends the participants' list and then, at once, their frames (those since their last keyframes first); the page
  // makes decoders a moment later. Kept here, the first picture needs no keyframe asked of the sender.
  const early = new Map();
  const keepEarly = (participant, frame) => {
    if (frame.stream === STREAM.audio) return;
    let kept = early.get(participant);
    if (!kept) {
      if (!frame.key) return;
      early.set(participant, kept = []);
    }
    if (kept.length >= EARLY_FRAMES) { early.delete(participant); return; } // too long a wait: the decoders will ask
    kept.push(frame);
  };
  let me = null;
  let ownFrames = 0;
  let muted = false;
  let ended = false;
  const open = () => socket.readyState === WebSocket.OPEN;
  const notice = message => { if (open()) socket.send(JSON.stringify(message)); };
  const senders = new Senders(CODEC, stats, (stream, chunk, codecByte, clock, layer) => {
    if (!open()) return false;
    socket.send(encodeChunk(stream, chunk, codecByte, clock, layer));
    return true;
  });
  senders.cameraScalability = 'L1T3';

  const report = () => {
    const now = performance.now();
    const byPeer = {};
    for (const [participant, peer] of peers) {
      peer.receivers.refreshStats(now);
      byPeer[participant] = peer.stats;
    }
    stats.encodeMs = senders.encodeTimes.median();
    postMessage({ type: 'stats', stats, peers: byPeer, ownFrames });
    notice({ type: 'level', level: muted ? 0 : stats.localLevel }); // the hub's active speaker reads it from our packets
  };
  const timer = setInterval(report, STATS_EVERY_MS);

  const removePeer = participant => {
    early.delete(participant);
    peers.get(participant)?.receivers.stopAll();
    peers.delete(participant);
  };
  const stop = () => {
    if (ended) return;
    ended = true;
    clearInterval(timer);
    senders.stopAll();
    for (const participant of [...peers.keys()]) removePeer(participant);
    if (socket.readyState <= WebSocket.OPEN) socket.close();
  };
  const end = reason => { if (!ended) { stop(); postMessage({ type: 'ended', reason }); } };

  socket.onopen = () => postMessage({ type: 'open' });
  socket.onclose = () => end('the media channel closed');
  socket.onmessage = event => {
    if (typeof event.data === 'string') {
      const message = JSON.parse(event.data);
      if (message.type === 'participants') {
        me = message.call.participant;
        const listed = new Set(message.call.others.map(o => o.participant));
        for (const participant of early.keys()) if (!listed.has(participant)) early.delete(participant);
        postMessage({ type: 'participants', call: message.call });
      }
      else if (message.type === 'keyframe') { senders.requestKeyframe(STREAM.video); senders.requestKeyframe(STREAM.screen); }
      else if (message.type === 'ended') end(message.reason);
      return;
    }
    const view = new DataView(event.data);
    const participant = view.getUint16(0);
    if (participant === me) { ownFrames++; return; }
    const peer = peers.get(participant);
    if (!peer) { keepEarly(participant, decodeFrame(event.data, 3)); return; }
    peer.receivers.receive(decodeFrame(event.data, 3));
  };

  return {
    senders,
    report,
    stop,
    removePeer,
    addPeer({ participant, outputs, audioPort }) {
      const kept = early.get(participant) ?? [];
      removePeer(participant);
      const peerStats = newStats();
      // When its first frame was decoded, for the join's timing (in a clock both threads share).
      const firstFrame = () => postMessage({ type: 'firstFrame', participant, at: performance.timeOrigin + performance.now() });
      const receivers = new Receivers(CODEC, peerStats, outputs, audioPort, () => notice({ type: 'keyframe', participant }), firstFrame);
      peers.set(participant, { receivers, stats: peerStats });
      for (const frame of kept) receivers.receive(frame);
      // Its decoders start from a keyframe: asked for, unless its camera's came before them.
      if (!kept.some(frame => frame.key && frame.stream === STREAM.video)) notice({ type: 'keyframe', participant });
    },
    setState(state) {
      muted = state.muted;
      senders.setState({ muted: state.muted, cameraOn: state.cameraOn });
      notice({ type: 'state', muted: state.muted, cameraOff: !state.cameraOn, sharing: state.sharing });
    },
  };
}
