// "Push notifications on this device": the switch that subscribes this browser to web push (the
// service worker's PushManager, our VAPID key, then the API keeps the subscription) or unsubscribes
// it (the API forgets it, then the browser does), with each permission state and failure explained.
import Alpine from '@alpinejs/csp';
import { del, get, post } from './api.js';
import { base64UrlBytes, deviceLabel, subscriptionId } from './pushing.js';

const READY_TIMEOUT_MS = 10_000;

export const PUSH_TEXT = {
  unsupported:
    "This browser can't receive push notifications. On an iPhone or iPad, add PeerLearn to your Home Screen first (Share, then Add to Home Screen) and open it from there.",
  default: 'When you turn this on, your browser asks whether PeerLearn may show notifications. Choose Allow.',
  granted: 'Notifications are allowed for PeerLearn in this browser.',
  denied:
    "You've blocked notifications for PeerLearn in this browser. To get them, allow notifications in the site settings (the icon beside the address bar), then reload this page.",
  dismissed: "Your browser didn't allow notifications, so nothing was turned on. Try again and choose Allow.",
  subscribeFailed:
    "This browser couldn't reach its push service, so push isn't on. It needs an internet connection, and some browsers turn push off in private windows. Try again later; you'll still get in-app and email notifications.",
  refused: "PeerLearn can't send to this browser's push service, so push isn't on here. In-app and email notifications still work.",
  noWorker: "The app's background worker isn't running in this tab yet. Reload the page and try again.",
};

function supported() {
  return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window && window.isSecureContext;
}

function readyWorker() {
  return Promise.race([
    navigator.serviceWorker.ready,
    new Promise((_, reject) => setTimeout(() => reject(new Error('no service worker')), READY_TIMEOUT_MS)),
  ]);
}

/**
 * Gives the server this browser's current subscription again (idempotent: the same endpoint is the
 * same device), subscribing anew if the browser dropped it while push was allowed. Called when the
 * worker reports a changed subscription and when the switch finds push on; only for a signed-in person.
 */
export async function syncPushSubscription() {
  if (!supported() || Notification.permission !== 'granted' || !Alpine.store('session').user) return false;
  const registration = await readyWorker();
  let subscription = await registration.pushManager.getSubscription();
  if (!subscription) {
    const { public_key: key } = await get('/api/notifications/push/key', { auth: true });
    subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64UrlBytes(key) });
  }
  const { endpoint, keys } = subscription.toJSON();
  await post('/api/notifications/push/subscriptions', { endpoint, keys, device: deviceLabel(navigator.userAgent) }, { auth: true });
  return true;
}

/**
 * Before signing out: this device stops receiving the account's pushes (on a shared computer the
 * next person must not see them). The server first, while the sign-in still works; best effort.
 */
export async function forgetPushDevice() {
  // Not `serviceWorker.controller`: on the visit that turned pushes on the worker may not control the
  // page yet, and the device must still be forgotten (a shared computer's next person).
  if (!supported()) return false;
  const registration = await navigator.serviceWorker.getRegistration();
  const subscription = await registration?.pushManager.getSubscription();
  if (!subscription) return false;
  await del(`/api/notifications/push/subscriptions/${await subscriptionId(subscription.endpoint)}`, { auth: true }).catch(() => {});
  await subscription.unsubscribe().catch(() => {});
  return true;
}

export function registerPushDevice() {
  Alpine.data('pushDevice', () => ({
    state: 'checking', // checking | unsupported | off | on
    permission: 'default',
    busy: false,
    problem: '',
    device: '',

    async init() {
      if (!supported()) {
        this.state = 'unsupported';
        return;
      }
      this.permission = Notification.permission;
      this.device = deviceLabel(navigator.userAgent);
      try {
        const registration = await readyWorker();
        const subscription = await registration.pushManager.getSubscription();
        this.state = subscription && this.permission === 'granted' ? 'on' : 'off';
        // The server may have dropped it (a 410 seen while the browser kept it): tell it again.
        if (this.on) syncPushSubscription().catch(() => {});
      } catch {
        this.state = 'off';
      }
    },

    get on() {
      return this.state === 'on';
    },
    get unsupported() {
      return this.state === 'unsupported';
    },
    get switchLabel() {
      if (this.busy) return this.on ? 'Turning off…' : 'Turning on…';
      return this.on ? 'On' : 'Off';
    },
    get permissionText() {
      if (this.unsupported) return PUSH_TEXT.unsupported;
      return PUSH_TEXT[this.permission] || PUSH_TEXT.default;
    },
    get canToggle() {
      return !this.busy && !this.unsupported && this.state !== 'checking' && (this.on || this.permission !== 'denied');
    },

    toggle() {
      if (!this.canToggle) return;
      if (this.on) this.turnOff();
      else this.turnOn();
    },

    async turnOn() {
      this.busy = true;
      this.problem = '';
      try {
        this.permission = Notification.permission === 'default' ? await Notification.requestPermission() : Notification.permission;
        if (this.permission !== 'granted') {
          this.problem = this.permission === 'denied' ? PUSH_TEXT.denied : PUSH_TEXT.dismissed;
          return;
        }
        let registration;
        try {
          registration = await readyWorker();
        } catch {
          this.problem = PUSH_TEXT.noWorker;
          return;
        }
        const { public_key: key } = await get('/api/notifications/push/key', { auth: true });
        let subscription;
        try {
          subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64UrlBytes(key) });
        } catch {
          this.problem = PUSH_TEXT.subscribeFailed;
          return;
        }
        const { endpoint, keys } = subscription.toJSON();
        try {
          await post('/api/notifications/push/subscriptions', { endpoint, keys, device: this.device }, { auth: true });
        } catch (error) {
          await subscription.unsubscribe().catch(() => {});
          this.problem = error.status === 400 ? PUSH_TEXT.refused : error.message;
          return;
        }
        this.state = 'on';
      } catch (error) {
        this.problem = error.message || PUSH_TEXT.subscribeFailed;
      } finally {
        this.busy = false;
      }
    },

    async turnOff() {
      this.busy = true;
      this.problem = '';
      try {
        const registration = await readyWorker();
        const subscription = await registration.pushManager.getSubscription();
        if (subscription) {
          // The server first: a browser that forgot its subscription while we still held it would
          // leave us sending to a dead endpoint until the push service says so.
          await del(`/api/notifications/push/subscriptions/${await subscriptionId(subscription.endpoint)}`, { auth: true });
          await subscription.unsubscribe().catch(() => {});
        }
        this.state = 'off';
      } catch (error) {
        this.problem = error.message || "Couldn't turn push off. Try again.";
      } finally {
        this.busy = false;
      }
    },
  }));
}
