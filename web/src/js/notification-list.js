// Pure helpers of the notifications (the bell, the live store, the page): no DOM, no Alpine, so
// `npm test` runs them in node.

const TOASTS_AFTER_RECONNECT = 3; // more than this is a list to read, not toasts to watch

/** The badge's text: the count, or 99+ beyond that. */
export function badgeText(unread) {
  const n = Math.max(0, Number(unread) || 0);
  return n > 99 ? '99+' : String(n);
}

/** The bell's accessible name, which carries the count for screen readers. */
export function bellLabel(unread) {
  const n = Math.max(0, Number(unread) || 0);
  return n ? `Notifications, ${n} unread` : 'Notifications, none unread';
}

/** Notifications in both lists once each (the later copy wins: it has the newer `read`), newest first. */
export function mergeNotifications(known, incoming) {
  const byId = new Map(known.map((item) => [item.id, item]));
  for (const item of incoming) byId.set(item.id, { ...byId.get(item.id), ...item });
  return [...byId.values()].sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
}

/** The newest `limit` of a fetched list and what the live store holds, each once (the live copy wins). */
export function latestNotifications(fetched, live, limit) {
  return mergeNotifications(fetched, live).slice(0, limit);
}

/** The unread notifications of `page` this tab hadn't seen (oldest first, at most `limit`). */
export function unseenUnread(page, seenIds, limit = TOASTS_AFTER_RECONNECT) {
  return page
    .filter((item) => !item.read && !seenIds.has(item.id))
    .slice(0, limit)
    .reverse();
}

/** The page a notification opens (only a path of this site: a link never leads elsewhere). */
export function notificationHref(item) {
  const link = item?.link;
  // Browsers read "/\host" as "//host": backslashes and control characters are refused outright.
  const plainPath = typeof link === 'string' && link.startsWith('/') && !link.startsWith('//') && !/[\\\u0000-\u001f]/.test(link);
  return plainPath ? link : '/notifications';
}
