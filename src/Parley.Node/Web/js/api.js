// The node's local API, as the signed-in browser calls it: the session cookie goes by itself,
// and every unsafe request echoes the session's CSRF token.

let csrf = null;
let openCommand = 'parley open';
const signedOutHandlers = [];

export class ApiError extends Error {
  constructor(message, status) { super(message); this.status = status; }
}

export function onSignedOut(handler) { signedOutHandlers.push(handler); }

export async function startSession() {
  const session = await request('GET', '/api/session');
  csrf = session.csrfToken;
  openCommand = session.openCommand;
}

/** The command that prints a new login link for this node (with its --home when that is not the default). */
export function loginCommand() { return openCommand; }

async function request(method, path, body) {
  const headers = {};
  if (method !== 'GET' && csrf) headers['X-Parley-Csrf'] = csrf;
  let payload;
  if (body instanceof Blob || body instanceof FormData) payload = body; // FormData: the browser sets the multipart type
  else if (body !== undefined) { headers['Content-Type'] = 'application/json'; payload = JSON.stringify(body); }
  let response;
  try {
    response = await fetch(path, { method, headers, body: payload, credentials: 'same-origin', cache: 'no-store' });
  } catch {
    throw new ApiError('Parley is not answering. Is the node still running?', 0);
  }
  const text = await response.text();
  let data;
  try { data = text ? JSON.parse(text) : null; } catch { data = { error: text }; }
  if (response.status === 401) signedOutHandlers.forEach(f => f());
  if (!response.ok) throw new ApiError(data?.error ?? `request failed (${response.status})`, response.status);
  return data;
}

/** A peer key ("#room" or a device ID) as one URL path segment. */
export const seg = key => encodeURIComponent(key);

export const api = {
  get: path => request('GET', path),
  post: (path, body) => request('POST', path, body ?? {}),
  put: (path, blob) => request('PUT', path, blob),
  del: path => request('DELETE', path),
};
