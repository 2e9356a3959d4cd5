// Entry point: registers the stores, the shell, the magics and one component per page of the
// registry with Alpine (the CSP build: no eval), restores the session when one may exist, then routes;
// the current page's HTML is fetched from the start (pages.js).
import Alpine from '@alpinejs/csp';
import { registerSession } from './auth.js';
import { registerClock } from './clock.js';
import { registerComponents } from './components.js';
import { registerConfirm } from './confirm.js';
import { registerMagics } from './magics.js';
import { registerNotifications } from './notifications.js';
import { registerOffline, registerServiceWorker } from './offline.js';
import { PAGE_COMPONENTS } from './pages/index.js';
import { pageHtml, registerPages } from './pages.js';
import { registerRoomPanels } from './room/panels.js';
import { pageFor, registerRouter, startRouter } from './router.js';
import { PAGES, componentName } from './routes.js';
import { registerShell } from './shell.js';
import { registerToasts } from './toasts.js';

// Start fetching this address's page now, while the session is restored and Alpine starts.
pageHtml(pageFor(window.location.pathname)).catch(() => {});

registerToasts();
registerRouter();
registerPages();
registerSession();
registerNotifications();
registerShell();
registerComponents();
registerClock();
registerConfirm();
registerRoomPanels();
registerOffline();

for (const page of PAGES) {
  if (!PAGE_COMPONENTS[page]) throw new Error(`pages/index.js has no component for page "${page}"`);
  Alpine.data(componentName(page), PAGE_COMPONENTS[page]);
}

registerMagics();

window.Alpine = Alpine;
Alpine.start();

Alpine.store('session').restore().then(startRouter);
registerServiceWorker();
