// The room's signaling socket: one WebSocket to the room's API (protocol in docs/rooms.md), opened
// with a fresh single-use ticket each time, reconnected with exponential backoff and jitter, kept
// alive with an application ping (API Gateway drops a socket idle for 10 minutes) and replaced on
// purpose before the 2-hour connection limit. Handlers subscribe by message `type`.

const PING_EVERY_MS = 5 * 60_000; // half the 10-minute idle timeout
const PROACTIVE_RECONNECT_MS = (115 * 60 + Math.random() * 60) * 1000; // ~1 h 55 m, under the 2 h limit
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 15_000;
const MAX_MESSAGE_BYTES = 16 * 1024; // the server refuses bigger client messages (too_large)

// Server messages that mean "don't come back on your own".
const FINAL = new Set(['replaced', 'removed', 'ended']);

/** Full jitter: a random wait in [0, min(max, base * 2^attempt)], at least 250 ms. */
export function backoffMs(attempt, random = Math.random) {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt);
  return Math.max(250, Math.round(random() * ceiling));
}

export class RoomSocket {
  /**
   * `ticket()` resolves `{ticket, url}` (a new one per connection: tickets are single use);
   * `onState(state, detail)` hears connecting | open | reconnecting | closed.
   */
  constructor({ ticket, onState = () => {} }) {
    this.ticket = ticket;
    this.onState = onState;
    this.handlers = new Map();
    this.ws = null;
    this.attempt = 0;
    this.stopped = false;
    this.timers = { retry: null, ping: null, proactive: null };
    this.offsetMs = 0; // server clock - local clock
    this.pingSentAt = 0;
    this.lastRoundTripMs = null;
    this.state = 'idle';
  }

  on(type, handler) {
    if (!this.handlers.has(type)) this.handlers.set(type, new Set());
    this.handlers.get(type).add(handler);
    return () => this.handlers.get(type)?.delete(handler);
  }

  emit(type, message) {
    for (const handler of [...(this.handlers.get(type) ?? [])]) {
      try {
        handler(message);
      } catch (error) {
        console.error(`room: handler for ${type} failed`, error);
      }
    }
  }

  setState(state, detail = null) {
    this.state = state;
    this.onState(state, detail);
  }

  get open() {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** Sends one action; false when the socket is down (the caller decides whether that matters). */
  send(action, payload = {}) {
    if (!this.open) return false;
    const text = JSON.stringify({ ...payload, action });
    if (new TextEncoder().encode(text).length > MAX_MESSAGE_BYTES) {
      console.warn(`room: ${action} is over ${MAX_MESSAGE_BYTES} bytes, not sent`);
      return false;
    }
    this.ws.send(text);
    return true;
  }

  /** Round trip of an application ping, in ms (the lobby's connection check). */
  ping() {
    this.pingSentAt = performance.now();
    return this.send('ping');
  }

  async connect() {
    if (this.stopped) return;
    this.clearTimers();
    this.setState(this.attempt ? 'reconnecting' : 'connecting');
    let grant;
    try {
      grant = await this.ticket();
    } catch (error) {
      // A refusal (not booked, removed, room closed) is final; a network error is worth retrying.
      if (error.status && error.status < 500 && error.status !== 429) {
        this.stop();
        this.setState('closed', { code: error.code || 'refused', message: error.message });
        return;
      }
      this.retry();
      return;
    }
    if (this.stopped) return;
    const url = new URL(grant.url, window.location.href);
    url.searchParams.set('ticket', grant.ticket);
    const ws = new WebSocket(url.toString());
    this.ws = ws;
    ws.addEventListener('open', () => {
      if (ws !== this.ws) return;
      this.attempt = 0;
      this.setState('open');
      this.timers.ping = setInterval(() => this.ping(), PING_EVERY_MS);
      this.timers.proactive = setTimeout(() => this.reconnectNow(), PROACTIVE_RECONNECT_MS);
    });
    ws.addEventListener('message', (event) => {
      if (ws !== this.ws) return;
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      this.received(message);
    });
    ws.addEventListener('close', () => {
      if (ws !== this.ws) return;
      this.ws = null;
      this.clearTimers();
      if (!this.stopped) this.retry();
    });
  }

  received(message) {
    if (message.server_now) {
      // Half the round trip is unknown without a ping; the error is at most that, fine for a timer.
      const now = Date.now();
      this.offsetMs = new Date(message.server_now).getTime() - now;
      if (message.type === 'pong' && this.pingSentAt) {
        this.lastRoundTripMs = Math.round(performance.now() - this.pingSentAt);
        this.offsetMs += this.lastRoundTripMs / 2;
        this.pingSentAt = 0;
      }
    }
    if (FINAL.has(message.type)) this.stop();
    this.emit(message.type, message);
    this.emit('*', message);
  }

  retry() {
    this.setState('reconnecting');
    const wait = backoffMs(this.attempt++);
    this.timers.retry = setTimeout(() => this.connect(), wait);
  }

  /** Opens a new connection now (before the 2 h limit, or after the network came back). */
  reconnectNow() {
    if (this.stopped) return;
    const old = this.ws;
    this.ws = null;
    this.attempt = 0;
    old?.close(1000, 'reconnect');
    this.connect();
  }

  /** Simulates a dropped connection (tests): closes the socket without stopping reconnection. */
  drop() {
    this.ws?.close(4000, 'dropped');
  }

  clearTimers() {
    clearTimeout(this.timers.retry);
    clearInterval(this.timers.ping);
    clearTimeout(this.timers.proactive);
  }

  stop() {
    this.stopped = true;
    this.clearTimers();
  }

  close() {
    this.stop();
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000, 'leaving');
    this.setState('closed', null);
  }
}
