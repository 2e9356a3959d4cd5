// The admin site's page registry, the same shape as the app's (src/js/routes.js): the router matches
// it, build.mjs writes one dist/admin/pages/<page>.html per page from it, main.js registers each
// page's component (pages/index.js) from it, and the navigation is drawn from its `nav` entries.
// Every page is for admins only (`adminOnly`); the API enforces it regardless. Plain data: build.mjs
// imports it under Node. Each page owner adds their entry; keep one entry per line group.

const ADMIN = { signedIn: true, roles: ['admin'] };

/** `page` names web/admin/pages/<page>.html and its component `<camelCase page>Page`. */
export const ADMIN_ROUTES = [
  { name: 'overview', path: '/admin', title: 'Overview', page: 'overview', ...ADMIN, nav: { label: 'Overview', order: 1 } },
  { name: 'reports', path: '/admin/reports', title: 'Reports', page: 'reports', ...ADMIN, nav: { label: 'Reports', order: 6 } },
  { name: 'assistant', path: '/admin/assistant', title: 'Assistant', page: 'assistant', ...ADMIN, nav: { label: 'Assistant', order: 7 } },
  { name: 'users', path: '/admin/users', title: 'Users', page: 'users', ...ADMIN, nav: { label: 'Users', order: 2, lit: ['users', 'user'] } },
  { name: 'user', path: '/admin/users/:id', title: 'User', page: 'user', ...ADMIN },
  { name: 'sessions', path: '/admin/sessions', title: 'Sessions', page: 'sessions', ...ADMIN, nav: { label: 'Sessions', order: 3 } },
  { name: 'audit', path: '/admin/audit', title: 'Audit log', page: 'audit', ...ADMIN, nav: { label: 'Audit log', order: 8 } },
  {
    name: 'data-requests',
    path: '/admin/data-requests',
    title: 'Data requests',
    page: 'data-requests',
    ...ADMIN,
    nav: { label: 'Data requests', order: 9 },
  },
  { name: 'money', path: '/admin/money', title: 'Money', page: 'money', ...ADMIN, nav: { label: 'Money', order: 4 } },
  { name: 'email', path: '/admin/email', title: 'Email', page: 'email', ...ADMIN, nav: { label: 'Email', order: 5 } },
];

export const ADMIN_NOT_FOUND = { name: 'not-found', title: 'Page not found', page: 'not-found' };

/** What a signed-in person who isn't an admin sees on any page of this site. */
export const ADMIN_FORBIDDEN = { name: 'forbidden', title: 'Admins only', page: 'forbidden' };

/** Each page fragment once, in registry order. */
export const ADMIN_PAGES = [
  ...new Set([...ADMIN_ROUTES, ADMIN_NOT_FOUND, ADMIN_FORBIDDEN].map((route) => route.page).filter(Boolean)),
];

/** The site's menu, in order. */
export function adminNav() {
  return ADMIN_ROUTES.filter((route) => route.nav)
    .sort((a, b) => a.nav.order - b.nav.order)
    .map((route) => ({ name: route.name, path: route.path, label: route.nav.label, lit: route.nav.lit ?? [route.name] }));
}

/** Whether `path` is this site's (every other path is the app's, a full page load away). */
export const isAdminPath = (path) => /^\/admin(\/|$|\?)/.test(path);

/** Where an admin starts on this site. */
export const ADMIN_HOME = '/admin/users';

export const adminTitle = (route) => `${route.title} · PeerLearn Admin`;
