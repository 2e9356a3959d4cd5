// The installable app's side in the page: the service worker (dist/sw.js: push notifications and the
// offline app shell) is registered, a notification click that lands on an open tab is routed here, a
// push subscription the browser replaced is given to the server, and the shell shows a "You're
// offline" banner while the browser has no network.
import Alpine from '@alpinejs/csp';
import { syncPushSubscription } from './push-device.js';
import { navigate } from './router.js';

export function registerOffline() {
  Alpine.store('network', { online: navigator.onLine !== false });
  const update = () => {
    Alpine.store('network').online = navigator.onLine !== false;
  };
  window.addEventListener('online', update);
  window.addEventListener('offline', update);
}

/** Registers the service worker once the page has loaded (it must not compete with the first paint). */
export function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.addEventListener('message', (event) => {
    const data = event.data || {};
    if (data.type === 'push-subscription-changed') syncPushSubscription().catch(() => {});
    if (data.type !== 'navigate' || typeof data.url !== 'string') return;
    const url = new URL(data.url, window.location.origin);
    if (url.origin === window.location.origin) navigate(url.pathname + url.search);
  });
  navigator.serviceWorker.startMessages();
  const register = () => navigator.serviceWorker.register('/sw.js').catch(() => {});
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true });
}
