// History API routing: maps the path to a route of the page registry (routes.js), whose page the
// shell renders; guards signed-in and role-bound pages; turns same-origin link clicks into navigation.
// Two sites share it: the app (routes.js, every path but /admin/...) and the admin site
// (admin/js/routes.js, only /admin/...), each configuring it once (`configureRouter`). A path the
// other site owns is a full page load, never a route of this one.
import Alpine from '@alpinejs/csp';
import { NOT_FOUND, ROUTES, homeFor, isAppPath } from './routes.js';

const config = {
  routes: ROUTES,
  notFound: NOT_FOUND,
  home: homeFor,
  owns: isAppPath,
  title: (route) => (route.title === 'PeerLearn' ? 'PeerLearn' : `${route.title} · PeerLearn`),
  // Shown instead of a page whose `roles` leave the person out; without it they are sent home.
  forbidden: null,
};

/** Sets the site's registry and rules (the admin site's main.js; the app keeps the defaults). */
export function configureRouter(options) {
  Object.assign(config, options);
}

function match(pathname) {
  const parts = pathname.replace(/\/+$/, '').split('/');
  for (const route of config.routes) {
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
  return { route: config.notFound, params: {} };
}

/** The page (registry `page`) that shows at `pathname`, before any guard. */
export function pageFor(pathname) {
  return match(pathname).route.page;
}

export function currentPath() {
  return window.location.pathname + window.location.search;
}

/** A `next` value is followed only when it is a path on this site (never `//other.host`). */
export function safeNext(next, fallback = '/') {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') ? next : fallback;
}

function resolve() {
  let { route, params } = match(window.location.pathname);
  if (route.redirect) return navigate(route.redirect, { replace: true });
  const query = Object.fromEntries(new URLSearchParams(window.location.search));
  const session = Alpine.store('session');
  if (session.ready) {
    if (route.signedIn && !session.user) {
      return navigate(`/login?next=${encodeURIComponent(currentPath())}`, { replace: true });
    }
    if (route.guestOnly && session.user) {
      return navigate(safeNext(query.next, config.home(session.user)), { replace: true });
    }
    if (route.roles && session.user && !route.roles.includes(session.user.role)) {
      if (!config.forbidden) return navigate(config.home(session.user), { replace: true });
      route = config.forbidden;
    }
  }
  const page = { name: route.name, page: route.page, path: window.location.pathname, params, query };
  Object.assign(Alpine.store('route'), page);
  document.title = config.title(route);
}

/** Re-applies the route guards, e.g. after the session ended. */
export function refreshRoute() {
  resolve();
}

export function navigate(path, { replace = false } = {}) {
  if (!config.owns(path)) {
    // The other site's page (an admin's home, the app's sign-in): a full page load.
    window.location[replace ? 'replace' : 'assign'](path);
    return;
  }
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
  if (link.pathname.startsWith('/api/') || /\.\w+$/.test(link.pathname) || !config.owns(link.pathname)) return;
  event.preventDefault();
  // A link within this page (a skip link): move focus there, as the browser would.
  if (link.hash && link.pathname === window.location.pathname && link.search === window.location.search) {
    document.getElementById(link.hash.slice(1))?.focus();
    return;
  }
  navigate(link.pathname + link.search);
  // Move focus to the new page so keyboard and screen-reader users start at its top.
  requestAnimationFrame(() => document.getElementById('main')?.focus({ preventScroll: true }));
}

export function registerRouter() {
  Alpine.store('route', { name: null, page: null, path: '/', params: {}, query: {} });
}

/** Starts routing; call once the session store knows whether someone is signed in. */
export function startRouter() {
  window.addEventListener('popstate', resolve);
  document.addEventListener('click', onLinkClick);
  resolve();
}
