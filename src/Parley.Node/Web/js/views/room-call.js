// A room's call (#/roomcall/%23team): before joining, Join with video or voice only; in the call, a
// tile for each participant with their name, a muted mark and a light on whoever speaks, a shared
// screen shown large above them, your own preview, and the controls: mute, camera, share screen,
// leave. Joining and leaving show at once (the node hears it from the hub and tells this page).

import { h, put, fill, avatar } from '../dom.js';
import { state } from '../state.js';
import { pageHeader, section, act } from './common.js';
import { roomCall, onRoomCallChange, joinRoomCall, leaveRoomCall } from '../rooms-call/room-call.js';
import { calls } from '../calls/session.js';

export function mount(main, room) {
  const body = h('div', { class: 'calls room-call' });
  put(main, [pageHeader(`Call in ${room}`, 'Voice, video and screens for the whole room, through your hub, which forwards what it cannot read.'), body]);
  let shown = null;
  let refresh = () => {};

  function render() {
    const engine = roomCall.engine?.room === room ? roomCall.engine : null;
    if (engine && shown === engine) { refresh(); return; }
    shown = engine;
    refresh = () => {};
    fill(body, engine ? inCall(engine) : outside());
    if (engine) body.querySelectorAll('video').forEach(v => v.play().catch(() => {}));
  }

  function outside() {
    const withVideo = h('button', { class: 'primary' }, 'Join with video');
    const voiceOnly = h('button', { class: 'ghost' }, 'Join with voice only');
    withVideo.addEventListener('click', () => act(withVideo, () => joinRoomCall(room, true)));
    voiceOnly.addEventListener('click', () => act(voiceOnly, () => joinRoomCall(room, false)));
    const ended = roomCall.ended?.room === room ? roomCall.ended : null;
    const elsewhere = roomCall.engine && roomCall.engine.room !== room ? roomCall.engine.room : null;
    const inOneToOne = Boolean(calls.call); // one call at a time: the devices, and the person, are in that one
    withVideo.disabled = voiceOnly.disabled = inOneToOne;
    return [
      ended ? h('p', { class: 'notice-box', role: 'status' }, `You are out of the call: ${ended.reason}.`) : null,
      section('Join the call', h('p', { class: 'muted' }, inOneToOne ? `Hang up your call with ${calls.call.peerName} first.`
        : elsewhere ? `Joining leaves the call in ${elsewhere}.` : 'Starts the call if nobody is in it yet.'),
        h('div', { class: 'row-actions' }, withVideo, voiceOnly)),
      h('p', null, h('a', { href: `#/chats/${encodeURIComponent(room)}` }, `Back to ${room}`)),
    ];
  }

  function inCall(engine) {
    const me = state.status;
    const screenStage = h('div', { class: 'room-screen', hidden: true });
    const tiles = h('div', { class: 'tiles room-tiles' });
    const local = tile('You', engine.video ? engine.localVideo : avatar(me?.name ?? 'You', me?.deviceId), engine.video ? 'local' : 'local voice');
    const peerTiles = new Map(); // participant → { element, media shown }
    const count = h('p', { class: 'muted small', role: 'status' });
    const mute = h('button', { class: 'ghost', 'aria-pressed': 'false' }, 'Mute');
    const camera = h('button', { class: 'ghost', 'aria-pressed': 'false', hidden: !engine.video }, 'Camera off');
    const share = h('button', { class: 'ghost' }, 'Share screen');
    const leave = h('button', { class: 'danger' }, 'Leave');
    mute.addEventListener('click', () => engine.setMuted(!engine.muted));
    camera.addEventListener('click', () => engine.setCamera(!engine.cameraOn));
    share.addEventListener('click', () => act(share, () => engine.sharing ? engine.stopShare() : engine.startShare()));
    leave.addEventListener('click', () => act(leave, () => leaveRoomCall()));

    refresh = () => {
      for (const [participant, shownTile] of peerTiles) {
        if (!engine.peers.has(participant)) { shownTile.element.remove(); peerTiles.delete(participant); }
      }
      let sharer = null;
      for (const [participant, peer] of engine.peers) {
        let shownTile = peerTiles.get(participant);
        const pictured = peer.view.video && !peer.view.cameraOff;
        if (!shownTile || shownTile.pictured !== pictured) {
          const element = tile(peer.view.name, pictured ? peer.camera.element : avatar(peer.view.name, peer.view.device), pictured ? 'remote' : 'remote voice');
          element.dataset.participant = String(participant);
          if (shownTile) shownTile.element.replaceWith(element); else tiles.insertBefore(element, local);
          shownTile = { element, pictured };
          peerTiles.set(participant, shownTile);
          peer.camera.element.play().catch(() => {});
        }
        const element = shownTile.element;
        element.dataset.frames = String(peer.stats.decoded.video);
        element.dataset.screenFrames = String(peer.stats.decoded.screen);
        element.dataset.audioFrames = String(peer.stats.audioFrames);
        element.dataset.level = peer.stats.remoteLevel.toFixed(4);
        element.classList.toggle('muted', peer.view.muted);
        element.classList.toggle('speaking', engine.speaker.participant === participant);
        if (peer.view.sharing && peer.stats.decoded.screen > 0 && !sharer) sharer = peer;
      }
      local.classList.toggle('muted', engine.muted);
      screenStage.hidden = !sharer;
      if (sharer && screenStage.firstChild?.dataset.participant !== String(sharer.view.participant)) {
        const big = tile(`${sharer.view.name}’s screen`, sharer.screen.element, 'screen');
        big.dataset.participant = String(sharer.view.participant);
        fill(screenStage, big);
        sharer.screen.element.play().catch(() => {});
      }
      if (sharer) screenStage.firstChild.dataset.frames = String(sharer.stats.decoded.screen);
      else if (screenStage.firstChild) screenStage.replaceChildren();
      body.dataset.ownFrames = String(engine.ownFrames);
      setText(mute, engine.muted ? 'Unmute' : 'Mute');
      mute.setAttribute('aria-pressed', String(engine.muted));
      setText(camera, engine.cameraOn ? 'Camera off' : 'Camera on');
      camera.setAttribute('aria-pressed', String(!engine.cameraOn));
      setText(share, engine.sharing ? 'Stop sharing' : 'Share screen');
      const others = engine.peers.size;
      setText(count, others === 0 ? 'Nobody else is here yet.' : `${others + 1} in the call`);
    };
    tiles.append(local);
    refresh();
    return [screenStage, tiles, count, h('div', { class: 'call-controls' }, mute, camera, share, leave)];
  }

  render();
  const stop = onRoomCallChange(render);
  return () => stop();
}

function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

function tile(name, media, kind) {
  return h('figure', { class: `tile ${kind}`, dataset: { frames: '0', level: '0' } }, media,
    h('figcaption', null, h('span', { class: 'speaking-light', 'aria-hidden': 'true' }), name, h('span', { class: 'muted-mark', title: 'Muted' }, 'muted')));
}
