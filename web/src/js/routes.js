// The page registry: every page once, with its path, title, guards and place in the navigation.
// The router matches paths against it, build.mjs renders one <template> per page from it, and the
// shell's navigation is drawn from its `nav` entries. Plain data: build.mjs imports it under Node.

const LEARNER = ['learner'];
const MENTOR = ['mentor'];
const MEMBERS = ['learner', 'mentor'];
const EVERYONE = ['learner', 'mentor', 'admin'];

/**
 * `page` names the fragment (src/pages/<page>.html, its component `<camelCase page>Page`);
 * `signedIn` pages send signed-out people to sign in, `guestOnly` ones send signed-in people on;
 * `roles` limits a page to some roles (others go to their home); `nav` puts it in the signed-in menu,
 * lit while the current route is one of `nav.lit` (default: the page's own route).
 */
export const ROUTES = [
  { name: 'home', path: '/', title: 'PeerLearn', page: 'home', roles: MEMBERS, nav: { label: 'Home', roles: MEMBERS, order: 1 } },
  { name: 'login', path: '/login', title: 'Sign in', page: 'login', guestOnly: true },
  { name: 'register', path: '/register', title: 'Join PeerLearn', page: 'register', guestOnly: true },
  { name: 'verify-email', path: '/verify-email', title: 'Verify your email', page: 'verify-email' },
  { name: 'forgot-password', path: '/forgot-password', title: 'Forgot password', page: 'forgot-password' },
  { name: 'reset-password', path: '/reset-password', title: 'Choose a new password', page: 'reset-password' },
  {
    name: 'discover',
    path: '/discover',
    title: 'Discover sessions',
    page: 'discover',
    nav: { label: 'Discover', roles: EVERYONE, order: 2, lit: ['discover', 'session', 'mentor'] },
  },
  {
    name: 'my-sessions',
    path: '/my/sessions',
    title: 'My sessions',
    page: 'my-sessions',
    signedIn: true,
    nav: { label: 'My sessions', roles: MENTOR, order: 3, lit: ['my-sessions', 'session-new', 'session-edit'] },
  },
  {
    name: 'my-bookings',
    path: '/my/bookings',
    title: 'My bookings',
    page: 'my-bookings',
    signedIn: true,
    nav: { label: 'My bookings', roles: LEARNER, order: 3 },
  },
  {
    name: 'profile',
    path: '/profile',
    title: 'Your profile',
    page: 'profile',
    signedIn: true,
    nav: { label: 'Profile', roles: EVERYONE, order: 5 },
  },
  {
    name: 'my-payments',
    path: '/my/payments',
    title: 'Payments',
    page: 'my-payments',
    signedIn: true,
    roles: LEARNER,
    nav: { label: 'Payments', roles: LEARNER, order: 4, lit: ['my-payments', 'receipt'] },
  },
  { name: 'receipt', path: '/my/payments/:id/receipt', title: 'Receipt', page: 'receipt', signedIn: true, roles: ['learner', 'admin'] },
  {
    name: 'my-earnings',
    path: '/my/earnings',
    title: 'Earnings',
    page: 'my-earnings',
    signedIn: true,
    roles: MENTOR,
    nav: { label: 'Earnings', roles: MENTOR, order: 4 },
  },
  {
    name: 'notifications',
    path: '/notifications',
    title: 'Notifications',
    page: 'notifications',
    signedIn: true,
  },
  {
    name: 'notification-settings',
    path: '/settings/notifications',
    title: 'Notification settings',
    page: 'notification-settings',
    signedIn: true,
  },
  { name: 'unsubscribe', path: '/unsubscribe', title: 'Unsubscribe', page: 'unsubscribe' },
  { name: 'user', path: '/users/:id', title: 'Profile', page: 'user' },
  { name: 'session', path: '/sessions/:id', title: 'Session', page: 'session' },
  { name: 'room', path: '/sessions/:id/room', title: 'Live room', page: 'room', signedIn: true },
  { name: 'mentor', path: '/mentors/:id', title: 'Mentor', page: 'mentor' },
  { name: 'session-new', path: '/my/sessions/new', title: 'New session', page: 'session-form', signedIn: true },
  { name: 'session-edit', path: '/my/sessions/:id/edit', title: 'Edit session', page: 'session-form', signedIn: true },
];

export const NOT_FOUND = { name: 'not-found', title: 'Page not found', page: 'not-found' };

/** Each page fragment once, in registry order. */
export const PAGES = [...new Set([...ROUTES, NOT_FOUND].map((route) => route.page))];

/** "my-sessions" -> "mySessionsPage": the Alpine.data name of a page's component. */
export const componentName = (page) => `${page.replace(/-(\w)/g, (_, c) => c.toUpperCase())}Page`;

/** Menu entries that leave the app: the admin site (web/admin/, its own build) for admins. */
const LINKS = [{ name: 'admin-site', path: '/admin/', label: 'Admin site', roles: ['admin'], order: 1 }];

/** The signed-in menu for `role`, in order. */
export function navFor(role) {
  const pages = ROUTES.filter((route) => route.nav?.roles.includes(role)).map((route) => ({
    name: route.name,
    path: route.path,
    label: route.nav.label,
    order: route.nav.order,
    lit: route.nav.lit ?? [route.name],
  }));
  const links = LINKS.filter((link) => link.roles.includes(role)).map(({ roles, ...link }) => ({ ...link, lit: [] }));
  return [...pages, ...links].sort((a, b) => a.order - b.order).map(({ order, ...link }) => link);
}

/** The app's own paths: everything but the admin site's (/admin, /admin/..., web/admin/). */
export const isAppPath = (path) => !/^\/admin(\/|$|\?)/.test(path);

/** Where a signed-in person starts: admins on the admin site (a full page load), everyone else at home. */
export const homeFor = (user) => (user?.role === 'admin' ? '/admin/users' : '/');
