// TEMP room page (room-panels' stand-in until room-web's page is merged; theirs wins): a ticket, one
// socket with `send`/`on`, and `Alpine.store('room')` = {session, me, participants, status, socket,
// recording}, enough to develop and test the chat, gift and recording panels. The mentor opens the
// room and admits everyone who knocks.
import Alpine from '@alpinejs/csp';
import { get, post } from '../api.js';

function roomSocket(sessionId, onFrame) {
  const handlers = new Map();
  let ws = null;
  let closed = false;
  const connect = async () => {
    const ticket = await post(`/api/sessions/${sessionId}/room-ticket`, {}, { auth: true });
    ws = new WebSocket(`${ticket.url}${ticket.url.includes('?') ? '&' : '?'}ticket=${encodeURIComponent(ticket.ticket)}`);
    ws.onmessage = (event) => {
      const frame = JSON.parse(event.data);
      onFrame(frame);
      (handlers.get(frame.type) ?? []).forEach((handler) => handler(frame));
    };
    ws.onclose = () => {
      if (!closed) setTimeout(() => connect().catch(() => {}), 1000);
    };
  };
  return {
    connect,
    close() {
      closed = true;
      ws?.close();
    },
    send(action, payload = {}) {
      if (!ws || ws.readyState !== WebSocket.OPEN) return false;
      ws.send(JSON.stringify({ action, ...payload }));
      return true;
    },
    on(type, handler) {
      if (!handlers.has(type)) handlers.set(type, new Set());
      handlers.get(type).add(handler);
      return () => handlers.get(type).delete(handler);
    },
    drop() {
      ws?.close();
    },
  };
}

export default () => {
  let socket = null;
  return {
    error: '',
    init() {
      const sessionId = Alpine.store('route').params.id;
      Alpine.store('room', { session: null, me: null, participants: [], status: 'connecting', socket: null, recording: false });
      const store = Alpine.store('room');
      get(`/api/sessions/${sessionId}`).then((session) => (store.session = session)).catch(() => {});
      socket = roomSocket(sessionId, (frame) => {
        if (frame.type === 'welcome') {
          Object.assign(store, { me: frame.you, participants: frame.participants, status: frame.room.status, recording: Boolean(frame.room.recording) });
          if (frame.you.room_role === 'mentor' && frame.room.status === 'waiting') socket.send('open', {});
          if (frame.you.room_role === 'mentor') socket.send('admit', { all: true });
        } else if (frame.type === 'presence') {
          store.participants = frame.participants;
        } else if (frame.type === 'knock' && store.me && store.me.room_role === 'mentor') {
          socket.send('admit', { user_id: frame.participant.user_id });
        } else if (frame.type === 'admitted') {
          socket.send('hello', {});
        } else if (frame.type === 'recording') {
          store.recording = Boolean(frame.on);
        } else if (frame.type === 'room') {
          store.status = frame.status;
        }
      });
      store.socket = socket;
      socket.connect().catch((error) => (this.error = error.message));
    },
    destroy() {
      socket?.close();
    },
  };
};
