// The media of one call, on a worker of its own: the media WebSocket to the node, encoding what the
// page captures (senders.js) and decoding what the other side sends (receivers.js). The page's
// main thread lays out, draws the views and takes input; with the media there too, each camera
// frame waited behind that work (and behind the audio) on its way to the encoder and back.
//
// From the page: start (call, codec, the <video> writables, the AudioWorklet's port), track (a
// captured track's readable), untrack, state (muted, camera), stats (send them now: a reader that
// compares two pages' counts wants them from one moment, not up to a tick old), stop. To the page:
// open, stats (ten times a second, and when asked), ended (with the reason).

import { STREAM, encodeChunk, decodeFrame } from './frames.js';
import { Senders } from './senders.js';
import { Receivers } from './receivers.js';
import { newStats } from './media-stats.js';

const STATS_EVERY_MS = 100;
const STREAM_BY_NAME = { video: STREAM.video, screen: STREAM.screen };

let call = null;

onmessage = ({ data }) => {
  if (data.type === 'start') call = startCall(data);
  else if (data.type === 'track') call?.senders.add(data.stream, data.readable, data.options);
  else if (data.type === 'untrack') call?.senders.remove(data.stream);
  else if (data.type === 'state') call?.senders.setState(data);
  else if (data.type === 'stats') call?.report();
  else if (data.type === 'stop') { call?.stop(); close(); }
};

function startCall({ url, codec, outputs, audioPort }) {
  const stats = newStats();
  const socket = new WebSocket(url);
  socket.binaryType = 'arraybuffer';
  const send = (stream, chunk, codecByte, clock) => {
    if (socket.readyState !== WebSocket.OPEN) return false;
    socket.send(encodeChunk(stream, chunk, codecByte, clock));
    return true;
  };
  const requestKeyframe = kind => { if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'keyframe', stream: kind })); };
  const senders = new Senders(codec, stats, send);
  const receivers = new Receivers(codec, stats, outputs, audioPort, requestKeyframe);
  let ended = false;
  const report = () => {
    receivers.refreshStats(performance.now());
    stats.encodeMs = senders.encodeTimes.median();
    postMessage({ type: 'stats', stats });
  };
  const timer = setInterval(report, STATS_EVERY_MS);

  const stop = () => {
    if (ended) return;
    ended = true;
    clearInterval(timer);
    senders.stopAll();
    receivers.stopAll();
    if (socket.readyState <= WebSocket.OPEN) socket.close();
  };
  const end = (reason, byPeer = false) => { if (!ended) { stop(); postMessage({ type: 'ended', reason, byPeer }); } };

  socket.onopen = () => postMessage({ type: 'open' });
  socket.onclose = () => end('the media channel closed');
  socket.onmessage = event => {
    if (typeof event.data !== 'string') { receivers.receive(decodeFrame(event.data)); return; }
    const notice = JSON.parse(event.data);
    if (notice.type === 'keyframe') senders.requestKeyframe(STREAM_BY_NAME[notice.stream] ?? STREAM.video);
    else if (notice.type === 'bitrate') senders.setBitrate(notice.bps);
    else if (notice.type === 'ended') end(notice.reason, notice.byPeer);
  };
  return { senders, report, stop };
}
