// The admin's own user channel (the WebSocket the app's notifications use), opened by a page that
// wants live messages: the overview's statistics (`stats.update`) and the assistant's streamed
// answer (`assistant.delta`, `assistant.done`). A fresh single-use ticket per connection; the
// socket reconnects with backoff (src/js/room/socket.js) and the page closes it when it goes.
import { post } from '../../src/js/api.js';
import { RoomSocket } from '../../src/js/room/socket.js';

export function openChannel({ onState = () => {} } = {}) {
  const socket = new RoomSocket({
    ticket: () => post('/api/notifications/channel-ticket', {}, { auth: true }),
    onState,
  });
  socket.connect();
  return socket;
}
