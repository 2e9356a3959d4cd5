// History API routing: maps the path to a route name the shell renders, guards signed-in pages,
// and turns clicks on same-origin links into navigation without a page load.
import Alpine from 'alpinejs';

const ROUTES = [
  { path: '/', name: 'home', title: 'PeerLearn' },
  { path: '/login', name: 'login', title: 'Sign in', guestOnly: true },
  { path: '/register', name: 'register', title: 'Join PeerLearn', guestOnly: true },
  { path: '/verify-email', name: 'verify-email', title: 'Verify your email' },
  { path: '/forgot-password', name: 'forgot-password', title: 'Forgot password' },
  { path: '/reset-password', name: 'reset-password', title: 'Choose a new password' },
  { path: '/profile', name: 'profile', title: 'Your profile', signedIn: true },
  { path: '/users/:id', name: 'user', title: 'Profile' },
  { path: '/discover', name: 'discover', title: 'Discover sessions' },
  { path: '/sessions/:id', name: 'session', title: 'Session' },
  { path: '/mentors/:id', name: 'mentor', title: 'Mentor' },
  { path: '/my/sessions', name: 'my-sessions', title: 'My sessions', signedIn: true },
  { path: '/my/sessions/new', name: 'session-new', title: 'New session', signedIn: true },
  { path: '/my/sessions/:id/edit', name: 'session-edit', title: 'Edit session', signedIn: true },
  { path: '/my/bookings', name: 'my-bookings', title: 'My bookings', signedIn: true },
];
const NOT_FOUND = { name: 'not-found', title: 'Page not found' };

function match(pathname) {
  const parts = pathname.replace(/\/+$/, '').split('/');
  for (const route of ROUTES) {
    const pattern = route.path.replace(/\/+$/, '').split('/');
    if (pattern.length !== parts.length) continue;
    const params = {};
    const ok = pattern.every((segment, i) => {
      if (segment.startsWith(':')) {
        params[segment.slice(1)] = decodeURIComponent(parts[i]);
        return parts[i] !== '';
      }
      return segment === parts[i];
    });
    if (ok) return { route, params };
  }
  return { route: NOT_FOUND, params: {} };
}

export function currentPath() {
  return window.location.pathname + window.location.search;
}

/** A `next` value is followed only when it is a path on this site (never `//other.host`). */
export function safeNext(next, fallback = '/') {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') ? next : fallback;
}

function resolve() {
  const { route, params } = match(window.location.pathname);
  const query = Object.fromEntries(new URLSearchParams(window.location.search));
  const session = Alpine.store('session');
  if (session.ready) {
    if (route.signedIn && !session.user) {
      return navigate(`/login?next=${encodeURIComponent(currentPath())}`, { replace: true });
    }
    if (route.guestOnly && session.user) {
      return navigate(safeNext(query.next), { replace: true });
    }
  }
  Object.assign(Alpine.store('route'), { name: route.name, path: window.location.pathname, params, query });
  document.title = route.title === 'PeerLearn' ? 'PeerLearn' : `${route.title} · PeerLearn`;
}

/** Re-applies the route guards, e.g. after the session ended. */
export function refreshRoute() {
  resolve();
}

export function navigate(path, { replace = false } = {}) {
  if (path !== currentPath()) {
    window.history[replace ? 'replaceState' : 'pushState']({}, '', path);
    window.scrollTo(0, 0);
  }
  resolve();
}

function onLinkClick(event) {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = event.target.closest('a[href]');
  if (!link || link.target || link.hasAttribute('download') || link.origin !== window.location.origin) return;
  if (link.pathname.startsWith('/api/') || /\.\w+$/.test(link.pathname)) return;
  event.preventDefault();
  navigate(link.pathname + link.search);
  // Move focus to the new page so keyboard and screen-reader users start at its top.
  requestAnimationFrame(() => document.getElementById('main')?.focus({ preventScroll: true }));
}

export function registerRouter() {
  Alpine.store('route', { name: null, path: '/', params: {}, query: {} });
}

/** Starts routing; call once the session store knows whether someone is signed in. */
export function startRouter() {
  window.addEventListener('popstate', resolve);
  document.addEventListener('click', onLinkClick);
  resolve();
}
