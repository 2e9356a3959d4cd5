// What the room's panels (chat, gifts, recording) share: the room page's store (`Alpine.store('room')`,
// made by the room page), its socket's messages, and a presigned PUT with progress and the ETag.
import Alpine from '@alpinejs/csp';

/** The room page's store, or an empty one before the page has made it. */
export function room() {
  return Alpine.store('room') ?? {};
}

/** The session whose room this is (the store's, else the address's `/sessions/:id/room`). */
export function roomSessionId() {
  const session = room().session;
  return (session && (session.id || session.session_id)) || Alpine.store('route').params.id || '';
}

/** The viewer in the room ({user_id, name, room_role, status}) once the socket said so. */
export function roomMe() {
  return room().me ?? null;
}

/**
 * Calls `handlers[type](message)` for the room socket's messages, following the store's socket as the
 * page creates or replaces it; returns a function that stops listening (call it from `destroy`).
 */
export function listenToRoom(handlers) {
  let socket = null;
  let offs = [];
  const unsubscribe = () => {
    offs.forEach((off) => typeof off === 'function' && off());
    offs = [];
  };
  const watcher = Alpine.effect(() => {
    const store = Alpine.store('room');
    const next = store && store.socket ? Alpine.raw(store.socket) : null;
    if (next === socket) return;
    unsubscribe();
    socket = next;
    if (socket && typeof socket.on === 'function') {
      offs = Object.entries(handlers).map(([type, handler]) => socket.on(type, handler));
    }
  });
  return () => {
    Alpine.release(watcher);
    unsubscribe();
  };
}

/** Sends one action on the room socket; false when there is no socket to send on. */
export function sendToRoom(action, payload = {}) {
  const store = Alpine.store('room');
  const socket = store && store.socket ? Alpine.raw(store.socket) : null;
  if (!socket || typeof socket.send !== 'function') return false;
  return socket.send(action, payload) !== false;
}

/**
 * PUTs `body` to a presigned URL with `Content-Type: contentType` (the signature covers it) and
 * resolves with the response's ETag (a multipart part's receipt). XHR: fetch can't report progress.
 */
export function putBytes(url, body, { contentType, onProgress } = {}) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('PUT', url);
    if (contentType) request.setRequestHeader('Content-Type', contentType);
    request.upload.onprogress = (event) => {
      if (onProgress && event.lengthComputable) onProgress(event.loaded, event.total);
    };
    request.onload = () =>
      request.status < 300
        ? resolve({ etag: request.getResponseHeader('ETag') })
        : reject(new Error(`The upload was refused (${request.status}).`));
    request.onerror = () => reject(new Error('The upload failed. Check your connection and try again.'));
    request.send(body);
  });
}
