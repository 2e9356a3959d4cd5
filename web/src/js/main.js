// Entry point: registers the stores, the shell, the magics and one component per page of the
// registry with Alpine (the CSP build: no eval), restores the session when one may exist, then routes;
// the current page's HTML is fetched from the start (pages.js).
import Alpine from '@alpinejs/csp';
import { registerSession } from './auth.js';
import { levelBadge, levelLabel, seatsText, statusBadge, statusLabel } from './catalog.js';
import { registerClock } from './clock.js';
import { registerComponents } from './components.js';
import { registerConfirm } from './confirm.js';
import {
  amountText,
  dateText,
  exactText,
  dayParts,
  durationText,
  moneyText,
  ratingText,
  relativeText,
  starFill,
  timeText,
  whenText,
  zoneLongName,
} from './format.js';
import { registerNotifications } from './notifications.js';
import { registerOffline, registerServiceWorker } from './offline.js';
import { initials, joinedText } from './people.js';
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

Alpine.magic('initials', () => (person) => initials(person?.name));
Alpine.magic('joined', () => joinedText);
Alpine.magic('money', () => moneyText);
Alpine.magic('amount', () => amountText);
Alpine.magic('exact', () => exactText);
Alpine.magic('when', () => whenText);
Alpine.magic('time', () => timeText);
Alpine.magic('date', () => dateText);
Alpine.magic('dayParts', () => dayParts);
Alpine.magic('duration', () => durationText);
Alpine.magic('rating', () => ratingText);
Alpine.magic('zoneName', () => zoneLongName);
// Reads the shared clock, so "in 5 minutes" stays true while the page is open.
Alpine.magic('relative', () => (iso) => relativeText(iso, Alpine.store('clock').now));
Alpine.magic('level', () => levelLabel);
Alpine.magic('levelBadge', () => levelBadge);
Alpine.magic('status', () => statusLabel);
Alpine.magic('statusBadge', () => statusBadge);
Alpine.magic('seats', () => seatsText);
// Styles and links the CSP build can't write inline (no template literals or globals there).
Alpine.magic('width', () => (percent) => `width: ${Number(percent) || 0}%`);
Alpine.magic('starFill', () => (rating, n) => `width: ${starFill(rating, n)}%`);
Alpine.magic('tagHref', () => (tag) => `/discover?tag=${encodeURIComponent(tag)}`);

window.Alpine = Alpine;
Alpine.start();

Alpine.store('session').restore().then(startRouter);
registerServiceWorker();
