// The service worker (built to dist/sw.js, served from the site root so it controls every page):
// - web push: a `push` shows the notification; its click focuses an open tab on that page (or opens
//   one), and only ever a page of this site;
// - the app shell offline: the shell, its pages and assets are cached at install under a name made
//   from their content (build.mjs), so a new build installs a new cache and the old one is deleted;
//   navigations go to the network first and fall back to the cached shell; /api/ is never cached.
import { notificationFrom, safeLink } from './js/pushing.js';

/* global __CACHE_NAME__, __PRECACHE__ */
const CACHE = __CACHE_NAME__;
const PRECACHE = __PRECACHE__;
const SHELL = '/index.html';
const CACHE_PREFIX = 'peerlearn-shell-';
// Never cached, never answered from the cache: the API, the local stack's dev pages, uploaded media,
// and the admin site (its own shell and build, online only: never the app's shell in its place).
const PASS_THROUGH = ['/api/', '/_dev/', '/media/', '/_razorpay/', '/admin/'];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE.map((url) => new Request(url, { cache: 'reload' }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith(CACHE_PREFIX) && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname === '/admin') return;
  if (PASS_THROUGH.some((prefix) => url.pathname.startsWith(prefix))) return;
  if (request.mode === 'navigate') {
    event.respondWith(fetch(request).catch(() => caches.match(SHELL, { cacheName: CACHE }).then((shell) => shell || Response.error())));
    return;
  }
  // Assets and pages carry a content fingerprint (?v=): a cached copy is the right copy.
  event.respondWith(caches.match(request, { cacheName: CACHE }).then((cached) => cached || fetch(request)));
});

self.addEventListener('push', (event) => {
  let payload = {};
  try {
    payload = event.data ? event.data.json() : {};
  } catch {
    payload = { body: event.data ? event.data.text() : '' };
  }
  const { title, options } = notificationFrom(payload, self.location.origin);
  event.waitUntil(self.registration.showNotification(title, options));
});

// The browser replaced or dropped this device's subscription (the push service rotated it): the
// worker holds no sign-in, so it asks the open tabs to give the server the new one.
self.addEventListener('pushsubscriptionchange', (event) => {
  event.waitUntil(
    self.clients.matchAll({ type: 'window' }).then((tabs) => tabs.forEach((tab) => tab.postMessage({ type: 'push-subscription-changed' }))),
  );
});

/** Focus a tab of this site and take it to `link` (the app routes it), or open a new one. */
async function openLink(link) {
  const target = new URL(link, self.location.origin);
  const url = safeLink(target.origin === self.location.origin ? target.pathname + target.search : null, self.location.origin);
  const tabs = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const same = tabs.find((tab) => new URL(tab.url).origin === self.location.origin);
  if (same) {
    const focused = await same.focus().catch(() => same);
    focused.postMessage({ type: 'navigate', url });
    return focused;
  }
  return self.clients.openWindow(url);
}

function onNotificationClick(notification) {
  notification.close();
  return openLink(notification.data?.link || '/notifications');
}

self.addEventListener('notificationclick', (event) => {
  event.waitUntil(onNotificationClick(event.notification));
});

// Test hook (tests/e2e): a browser driven by the DevTools protocol can't click a system notification,
// so a page of this site may ask the worker to run its own click handler on one of its notifications
// (found by tag). It can only do what the click does: open a page of this site.
self.addEventListener('message', (event) => {
  const data = event.data || {};
  if (data.type !== 'click-notification' || typeof data.tag !== 'string') return;
  if (!event.source || new URL(event.source.url).origin !== self.location.origin) return;
  event.waitUntil(
    self.registration.getNotifications({ tag: data.tag }).then((found) => (found[0] ? onNotificationClick(found[0]) : null)),
  );
});
