// The call this page is in (at most one), shared by the views: place, accept, hang up.

import { api, seg } from '../api.js';
import { CallEngine, supportedCodecs } from './engine.js';
import { WebRtcCallEngine } from './webrtc-engine.js';

const listeners = new Set();
const statsListeners = new Set();
// `startedAt`: when media started here (the page's own clock, for the call's timer).
// `speaker`: the chosen audio output device ('' for the system's default), kept across calls.
export const calls = { engine: null, call: null, ended: null, startedAt: 0, speaker: localStorage.getItem('parley-speaker') ?? '' };
// Calls that ended before this page knew them as its own: a refusal ("ringing too often", "busy")
// can arrive over the event stream before the request that placed the call has returned.
const endedEarly = new Map(); // call ID → its call.ended event
const ENDED_EARLY_KEPT = 8;

/** Calls fn whenever the call or its state (mute, camera, share) changes; returns a function that stops it. */
export function onCallChange(fn) { listeners.add(fn); return () => listeners.delete(fn); }

/** Calls fn with each update of the call's media counters (ten times a second); returns a function that stops it. */
export function onCallStats(fn) { statsListeners.add(fn); return () => statsListeners.delete(fn); }

function changed() { listeners.forEach(fn => fn()); }

/** How long the live call has had media, as "m:ss" (or "h:mm:ss"). */
export function elapsed() {
  const total = calls.engine ? Math.max(0, Math.floor((Date.now() - calls.startedAt) / 1000)) : 0;
  const [hours, minutes, seconds] = [Math.floor(total / 3600), Math.floor(total / 60) % 60, total % 60];
  const two = n => String(n).padStart(2, '0');
  return hours ? `${hours}:${two(minutes)}:${two(seconds)}` : `${minutes}:${two(seconds)}`;
}

/** Forgets how the last call ended: a new ring must not show under an old "call ended". */
export function clearEnded() {
  if (!calls.ended) return;
  calls.ended = null;
  changed();
}

/** Plays the call's audio on this output device ('' for the default); remembered for the next calls. */
export async function chooseSpeaker(deviceId) {
  calls.speaker = deviceId;
  localStorage.setItem('parley-speaker', deviceId);
  await calls.engine?.setSpeaker(deviceId);
}

/** Rings a contact; media starts when the node says the call was answered. */
export async function placeCall(peer, video) {
  calls.ended = null;
  endedEarly.clear();
  const call = await api.post('/api/calls', { peer, video, codecs: await supportedCodecs(), engines: supportedEngines() });
  calls.call = call;
  const early = endedEarly.get(call.id);
  if (early) finish(early.endReason, early.endedByPeer);
  else changed();
  return call;
}

/** Accepts a ringing call: from a click, so audio may start. */
export async function acceptCall(call) {
  calls.ended = null;
  const accepted = await api.post(`/api/calls/${seg(call.id)}/accept`, { codecs: await supportedCodecs(), engines: supportedEngines() });
  await begin(accepted);
  return accepted;
}

export async function declineCall(call) {
  await api.post(`/api/calls/${seg(call.id)}/decline`);
}

export async function hangUp(reason = 'hung up') {
  const call = calls.call;
  if (!call) return;
  calls.engine?.stop(reason);
  // Ended here whatever the node answers: a call it already ended (and said so in an event this
  // page missed) must not keep the page ringing.
  finish(reason, false);
  await api.post(`/api/calls/${seg(call.id)}/hangup`, { reason }).catch(() => {});
}

/** The node's call events: the callee answered (start media) or the call ended (stop it). */
export async function onCallEvent(type, data) {
  if (calls.call?.id !== data.id) {
    if (type === 'call.ended' && data.outgoing) {
      endedEarly.set(data.id, data);
      if (endedEarly.size > ENDED_EARLY_KEPT) endedEarly.delete(endedEarly.keys().next().value);
    }
    return;
  }
  if (type === 'call.answered' && !calls.engine) await begin(data);
  else if (type === 'call.ended') {
    calls.engine?.stop(data.endReason, data.endedByPeer);
    finish(data.endReason, data.endedByPeer);
  }
}

async function begin(call) {
  calls.call = call;
  const Engine = call.engine === 'webrtc' && call.turn ? WebRtcCallEngine : CallEngine;
  const engine = new Engine(call, { onEnded: (reason, byPeer) => finish(reason, byPeer), onChange: changed, onStats: () => statsListeners.forEach(fn => fn()) });
  calls.engine = engine;
  calls.startedAt = Date.now();
  changed();
  try {
    await engine.start();
    await engine.setSpeaker(calls.speaker).catch(() => {}); // a device unplugged since: the default plays
  } catch (e) {
    engine.stop(`could not start media: ${e.message}`);
    await api.post(`/api/calls/${seg(call.id)}/hangup`, { reason: 'could not start media on the other side' }).catch(() => {});
  }
  changed();
}

/**
 * The media engines this page offers. WebCodecs always: measured against Chromium's WebRTC page to page
 * (docs/benchmarks.md, "Calls"), it matched it on clean paths and beat it wherever packets were lost
 * (at 2 % loss 0.5x WebRTC's latency; at 20 % still 30 frames a second where WebRTC fell to 2). Chromium's
 * own WebRTC engine, its packets carried by the nodes, when the user asks for it (it takes about a fifth
 * less of the browser's CPU and gives up resolution first when the machine is short of it); the node
 * uses it only when both pages offer it.
 */
function supportedEngines() {
  return 'RTCPeerConnection' in window && prefersWebRtcEngine() ? ['webrtc', 'webcodecs'] : ['webcodecs'];
}

/** Whether this browser asks for calls on Chromium's WebRTC engine (the Calls view's choice, kept in this browser). */
export function prefersWebRtcEngine() { return localStorage.getItem('parley-call-engine') === 'webrtc'; }

export function preferWebRtcEngine(on) {
  if (on) localStorage.setItem('parley-call-engine', 'webrtc');
  else localStorage.removeItem('parley-call-engine');
}

function finish(reason, byPeer) {
  if (!calls.call) return;
  calls.ended = { peerName: calls.call.peerName, reason, byPeer };
  calls.call = null;
  calls.engine = null;
  changed();
}

window.addEventListener('pagehide', () => { if (calls.call) hangUp('closed the call page'); });
