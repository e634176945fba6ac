// The node's event stream (/api/events): one WebSocket, reconnected with back-off, fanned out by type.

const handlers = new Map();
let socket = null;
let retry = 500;
const connectedHandlers = [];
const disconnectedHandlers = [];
let down = false;

/** on('message', e => …) for one type; on('*', …) for all. Returns a function that unsubscribes. */
export function on(type, handler) {
  if (!handlers.has(type)) handlers.set(type, new Set());
  handlers.get(type).add(handler);
  return () => handlers.get(type).delete(handler);
}

/** Called on every (re)connection, so views can refetch what they might have missed. Returns a function that unsubscribes. */
export function onConnected(handler) {
  connectedHandlers.push(handler);
  return () => { const at = connectedHandlers.indexOf(handler); if (at >= 0) connectedHandlers.splice(at, 1); };
}

/** Called when the stream drops (the node stopped or is restarting), so the page stops showing live things as live. */
export function onDisconnected(handler) { disconnectedHandlers.push(handler); }

export function connect() {
  socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/events`);
  socket.addEventListener('open', () => {
    retry = 500;
    document.body.classList.remove('offline');
    down = false;
    connectedHandlers.forEach(f => f());
  });
  socket.addEventListener('message', m => {
    let event;
    try { event = JSON.parse(m.data); } catch { return; }
    for (const key of [event.type, '*']) handlers.get(key)?.forEach(f => f(event.data, event.type));
  });
  socket.addEventListener('close', () => {
    document.body.classList.add('offline');
    if (!down) { down = true; disconnectedHandlers.forEach(f => f()); }
    setTimeout(connect, retry);
    retry = Math.min(retry * 2, 10000);
  });
}
