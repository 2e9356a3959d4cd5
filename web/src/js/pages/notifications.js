// /notifications: the signed-in person's notifications, newest first, a page at a time; open one (it
// is marked read) or mark one or all read. New ones arrive live from the user channel
// (notifications.js) and join the top of the list.
import Alpine from '@alpinejs/csp';
import { get, post, withQuery } from '../api.js';
import { mergeNotifications, notificationHref } from '../notification-list.js';
import { navigate } from '../router.js';
import { pageList } from '../paging.js';
import { toast } from '../toasts.js';

const PAGE_SIZE = 20;

/** One page of the list; each answer also carries the unread count, which the bell takes. */
async function fetchPage(cursor) {
  const page = await get(withQuery('/api/notifications/', { limit: PAGE_SIZE, cursor }), { auth: true });
  if (typeof page.unread === 'number') Alpine.store('notifications').setUnread(page.unread);
  return page;
}

export default () => ({
  list: pageList(fetchPage),
  busy: false, // a mark-all in flight
  onLive: null,

  init() {
    this.list.load();
    // One arriving while the page is open joins the top of the list.
    this.onLive = (event) => {
      if (this.list.status !== 'ready') return;
      this.list.items = mergeNotifications(this.list.items, [event.detail]);
      this.list.size = this.list.items.length;
    };
    window.addEventListener('peerlearn:notification', this.onLive);
  },

  destroy() {
    window.removeEventListener('peerlearn:notification', this.onLive);
  },

  get unread() {
    return Alpine.store('notifications').unread;
  },

  get anyUnread() {
    return this.unread > 0 || this.list.items.some((item) => !item.read);
  },

  href(item) {
    return notificationHref(item);
  },

  itemClass(item) {
    return item.read ? 'bg-white' : 'bg-brand-50 ring-brand-200';
  },

  readLabel(item) {
    return `Mark “${item.title}” as read`;
  },

  setRead(ids, unread) {
    const read = new Set(ids);
    this.list.items = this.list.items.map((item) => (read.has(item.id) ? { ...item, read: true } : item));
    Alpine.store('notifications').markedRead(ids, unread);
  },

  async markRead(item) {
    if (item.read) return true;
    try {
      const answer = await post(`/api/notifications/${encodeURIComponent(item.id)}/read`, {}, { auth: true });
      this.setRead([item.id], answer.unread);
      return true;
    } catch (error) {
      toast(error.message, 'error');
      return false;
    }
  },

  /** Opens the notification's page, marking it read on the way. */
  async open(item, event) {
    event?.preventDefault();
    await this.markRead(item);
    navigate(this.href(item));
  },

  async markAllRead() {
    this.busy = true;
    try {
      const answer = await post('/api/notifications/read-all', {}, { auth: true });
      this.setRead(
        this.list.items.map((item) => item.id),
        answer.unread ?? 0,
      );
    } catch (error) {
      toast(error.message, 'error');
    } finally {
      this.busy = false;
    }
  },
});
