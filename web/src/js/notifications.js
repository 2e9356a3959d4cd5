// The signed-in person's notifications, live: one user channel (a WebSocket on the rooms' API) per
// tab, opened with a fresh single-use ticket each time and reconnected with backoff and jitter
// (room/socket.js); every (re)connect catches up from the list, so nothing missed while the tab was
// offline stays missing. The bell reads the unread count; each new notification shows as a toast.
// Other pages hear of new ones through the window event `peerlearn:notification`.
import Alpine from '@alpinejs/csp';
import { get, onSessionChange, post, withQuery } from './api.js';
import { RoomSocket } from './room/socket.js';
import { badgeText, bellLabel, mergeNotifications, notificationHref, unseenUnread } from './notification-list.js';
import { toast } from './toasts.js';

export const CATCH_UP_LIMIT = 20;

function announce(notification) {
  window.dispatchEvent(new CustomEvent('peerlearn:notification', { detail: notification }));
}

export function registerNotifications() {
  Alpine.store('notifications', {
    unread: 0,
    recent: [], // the newest few, from the catch-up and live messages
    state: 'idle', // idle | connecting | open | reconnecting | closed
    userId: null,
    socket: null,
    seen: new Set(), // ids this tab has shown (no toast twice, even across reconnects)
    connectedOnce: false,

    get badge() {
      return badgeText(this.unread);
    },
    get label() {
      return bellLabel(this.unread);
    },
    get hasUnread() {
      return this.unread > 0;
    },

    /** Opens this tab's channel for `userId` (nothing to do while it is up for them; a channel the
     * server refused, e.g. after a ban, is tried again at the next sign-in or refresh). */
    start(userId) {
      if (this.socket && this.userId === userId && !this.socket.stopped) return;
      this.stop();
      this.userId = userId;
      this.connectedOnce = false;
      const socket = new RoomSocket({
        ticket: () => post('/api/notifications/channel-ticket', {}, { auth: true }),
        onState: (state) => {
          this.state = state;
          if (state === 'open') this.catchUp();
        },
      });
      socket.on('notification', (message) => this.received(message));
      socket.on('unread', (message) => this.setUnread(message.unread));
      this.socket = socket;
      socket.connect();
    },

    /** Closes the channel (sign-out) and forgets what it knew. */
    stop() {
      this.socket?.close();
      this.socket = null;
      this.userId = null;
      this.unread = 0;
      this.recent = [];
      this.seen = new Set();
      this.state = 'idle';
    },

    setUnread(unread) {
      const n = Number(unread);
      if (Number.isFinite(n) && n >= 0) this.unread = n;
    },

    received(message) {
      const item = message.notification;
      if (!item?.id) return;
      this.setUnread(message.unread);
      this.recent = mergeNotifications(this.recent, [item]).slice(0, CATCH_UP_LIMIT);
      if (this.seen.has(item.id)) return;
      this.seen.add(item.id);
      this.show(item);
    },

    show(item) {
      toast(item.title, 'info', { href: notificationHref(item), detail: item.body });
      announce(item);
      window.__peerlearnNotified?.(item); // a hook for benchmarks/notifications.py
    },

    /** The list's first page: the unread count, and (after a reconnect) toasts for what was missed. */
    async catchUp() {
      const userId = this.userId;
      let page;
      try {
        page = await get(withQuery('/api/notifications/', { limit: CATCH_UP_LIMIT }), { auth: true });
      } catch {
        return; // live messages still carry the count; the next reconnect tries again
      }
      if (userId !== this.userId) return;
      const items = page.items ?? [];
      if (typeof page.unread === 'number') this.setUnread(page.unread);
      const missed = this.connectedOnce ? unseenUnread(items, this.seen) : [];
      for (const item of items) this.seen.add(item.id);
      this.recent = mergeNotifications(this.recent, items).slice(0, CATCH_UP_LIMIT);
      this.connectedOnce = true;
      for (const item of missed) this.show(item);
    },

    /** Marks one read on the server, then here (the bell and every list that reads `recent`). */
    async markRead(id) {
      const answer = await post(`/api/notifications/${encodeURIComponent(id)}/read`, {}, { auth: true });
      this.markedRead([id], answer.unread);
    },

    /** After this tab marked some read (the server also tells the other tabs). */
    markedRead(ids, unread) {
      this.setUnread(unread);
      const read = new Set(ids);
      this.recent = this.recent.map((item) => (read.has(item.id) ? { ...item, read: true } : item));
    },
  });

  onSessionChange((body) => {
    const store = Alpine.store('notifications');
    const userId = body?.user?.id ?? null;
    if (userId) store.start(userId);
    else store.stop();
  });
}
