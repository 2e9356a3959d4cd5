// Web push's pure helpers, shared by the service worker (src/sw.js) and the push-device component:
// what a push message shows, where its click may go, the VAPID key's bytes, a device's label.

export const DEFAULT_LINK = '/notifications';
export const ICON = '/icons/icon-192.png';

/**
 * Where a notification's click goes: its `link` when it is a path of this site, otherwise the
 * notifications page. Never another origin, so a push message can't open an arbitrary site.
 */
export function safeLink(link, origin) {
  if (typeof link === 'string' && link.startsWith('/') && !link.startsWith('//')) {
    try {
      const url = new URL(link, origin);
      if (url.origin === origin) return url.href;
    } catch {
      // not a URL: fall through
    }
  }
  return new URL(DEFAULT_LINK, origin).href;
}

/** The title and showNotification() options of a push payload ({id, kind, title, body, link, tag}). */
export function notificationFrom(payload, origin) {
  const data = payload && typeof payload === 'object' ? payload : {};
  const title = typeof data.title === 'string' && data.title.trim() ? data.title.slice(0, 120) : 'PeerLearn';
  return {
    title,
    options: {
      body: typeof data.body === 'string' ? data.body.slice(0, 400) : '',
      tag: typeof data.tag === 'string' && data.tag ? data.tag.slice(0, 120) : `peerlearn:${data.id ?? 'notice'}`,
      data: { link: safeLink(data.link, origin), id: data.id ?? null, kind: data.kind ?? null },
      icon: ICON,
      badge: ICON,
    },
  };
}

/** The bytes of a base64url string (the VAPID public key for pushManager.subscribe). */
export function base64UrlBytes(text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

/** The server's id of a subscription: the first 32 hex digits of sha256(endpoint). */
export async function subscriptionId(endpoint) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(endpoint));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('').slice(0, 32);
}

/** "Chrome on Android", "Firefox on Windows"...: how a person recognises the device in a list. */
export function deviceLabel(userAgent) {
  const ua = String(userAgent || '');
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /OPR\//.test(ua)
      ? 'Opera'
      : /Firefox\//.test(ua)
        ? 'Firefox'
        : /Chrom(e|ium)\//.test(ua)
          ? 'Chrome'
          : /Safari\//.test(ua)
            ? 'Safari'
            : 'Browser';
  const system = /Android/.test(ua)
    ? 'Android'
    : /iPhone|iPad|iPod/.test(ua)
      ? 'iOS'
      : /Windows/.test(ua)
        ? 'Windows'
        : /Mac OS X|Macintosh/.test(ua)
          ? 'macOS'
          : /CrOS/.test(ua)
            ? 'ChromeOS'
            : /Linux/.test(ua)
              ? 'Linux'
              : 'this device';
  return `${browser} on ${system}`;
}
