// Who is in a live room, for its mentor (the dashboard) and for admins (the admin site's sessions):
// GET /api/sessions/{id}/room/participants, polled every few seconds while the panel is on screen.
// Polling, not the room's WebSocket: the dashboard has no room socket of its own, the figures are a
// read of two small Queries, and a few seconds' delay is fine for watching who arrived or dropped.
import Alpine from '@alpinejs/csp';
import { get } from './api.js';
import { MONITOR_POLL_MS, monitorRows, monitorSummary, stayText } from './room-monitor-rows.js';

/**
 * A panel's state and its polling (Alpine calls `init` and `destroy`; a page that embeds the panel's
 * state calls `start()` and `stop()`).
 */
export function roomMonitor(sessionId, { pollMs = MONITOR_POLL_MS } = {}) {
  let timer = null;
  return {
    monitor: { status: 'loading', data: null, message: '', fetchedAt: 0 },
    summary: '',

    init() {
      this.start();
    },

    destroy() {
      this.stop();
    },

    start() {
      this.stop();
      this.poll();
      timer = setInterval(() => this.poll(), pollMs);
    },

    stop() {
      clearInterval(timer);
      timer = null;
    },

    async poll() {
      try {
        const data = await get(`/api/sessions/${encodeURIComponent(sessionId)}/room/participants`, { auth: true });
        this.monitor = { status: 'ready', data, message: '', fetchedAt: Date.now() };
        const summary = monitorSummary(data.participants);
        if (summary !== this.summary) this.summary = summary;
        if (data.room_status === 'ended') this.stop();
      } catch (error) {
        // Keep the last answer on screen; say it is stale.
        this.monitor = { ...this.monitor, status: this.monitor.data ? 'stale' : 'failed', message: error.message };
      }
    },

    get rows() {
      return monitorRows(this.monitor.data, Alpine.store('clock')?.now ?? Date.now(), this.monitor.fetchedAt);
    },

    stayText,
  };
}

export function registerRoomMonitor() {
  Alpine.data('roomMonitor', (sessionId) => roomMonitor(sessionId));
}
