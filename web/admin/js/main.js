// The admin site's entry point (built to dist/admin/assets/admin.js): the app's shared modules (api,
// session, router, pages, toasts, confirm, magics) configured with this site's registry
// (routes.js), then one component per page. Same origin and session as the app: the refresh cookie
// restores the sign-in; signed out -> the app's /login?next=/admin/...; not an admin -> the
// "admins only" page (the API refuses them whatever this site shows).
import Alpine from '@alpinejs/csp';
import { registerSession } from '../../src/js/auth.js';
import { registerClock } from '../../src/js/clock.js';
import { registerConfirm } from '../../src/js/confirm.js';
import { registerMagics } from '../../src/js/magics.js';
import { pageHtml, registerPages } from '../../src/js/pages.js';
import { configureRouter, pageFor, registerRouter, startRouter } from '../../src/js/router.js';
import { componentName } from '../../src/js/routes.js';
import { registerShell } from '../../src/js/shell.js';
import { registerToasts } from '../../src/js/toasts.js';
import { PAGE_COMPONENTS } from './pages/index.js';
import {
  ADMIN_FORBIDDEN,
  ADMIN_HOME,
  ADMIN_NOT_FOUND,
  ADMIN_PAGES,
  ADMIN_ROUTES,
  adminNav,
  adminTitle,
  isAdminPath,
} from './routes.js';

configureRouter({
  routes: ADMIN_ROUTES,
  notFound: ADMIN_NOT_FOUND,
  forbidden: ADMIN_FORBIDDEN,
  home: () => ADMIN_HOME,
  owns: isAdminPath,
  title: adminTitle,
});

// Start fetching this address's page now, while the session is restored and Alpine starts.
const first = pageFor(window.location.pathname);
if (first) pageHtml(first).catch(() => {});

registerToasts();
registerRouter();
registerPages();
registerSession();
registerShell();
registerClock();
registerConfirm();
registerMagics();

for (const page of ADMIN_PAGES) {
  if (!PAGE_COMPONENTS[page]) throw new Error(`admin/js/pages/index.js has no component for page "${page}"`);
  Alpine.data(componentName(page), PAGE_COMPONENTS[page]);
}

// One entry of the site's menu (the header is dark: its own classes), lit while its routes show.
Alpine.bind('adminNavLink', (link) => ({
  href: link.path,
  class: 'block rounded-lg px-3 py-2 text-sm font-medium hover:bg-slate-800 hover:text-white',
  'data-testid': `nav-${link.name}`,
  ':class'() {
    return link.lit.includes(Alpine.store('route').name) ? 'bg-slate-800 text-white' : 'text-slate-300';
  },
  ':aria-current'() {
    return Alpine.store('route').name === link.name ? 'page' : null;
  },
}));

// The shell: the menu (from the registry), who is signed in, and whether this person may see the site.
Alpine.data('adminShell', () => ({
  open: false,
  links: adminNav(),
  get user() {
    return Alpine.store('session').user;
  },
  get isAdmin() {
    return this.user?.role === 'admin';
  },
  toggle() {
    this.open = !this.open;
  },
  close() {
    this.open = false;
  },
  closeOnLink(event) {
    if (event.target.closest('a')) this.open = false;
  },
}));

window.Alpine = Alpine;
Alpine.start();

Alpine.store('session').restore().then(startRouter);
