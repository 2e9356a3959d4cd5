// Entry point: registers the stores, components and pages with Alpine, restores the session from
// the refresh cookie, then starts routing.
import Alpine from 'alpinejs';
import { registerSession } from './auth.js';
import { levelBadge, levelLabel, seatsText, statusBadge, statusLabel } from './catalog.js';
import { registerClock } from './clock.js';
import { registerComponents } from './components.js';
import { registerConfirm } from './confirm.js';
import {
  dateText,
  dayParts,
  durationText,
  moneyText,
  ratingText,
  relativeText,
  timeText,
  whenText,
  zoneLongName,
} from './format.js';
import { initials, joinedText } from './people.js';
import discoverPage from './pages/discover.js';
import forgotPasswordPage from './pages/forgot-password.js';
import homePage from './pages/home.js';
import loginPage from './pages/login.js';
import mentorPage from './pages/mentor.js';
import myBookingsPage from './pages/my-bookings.js';
import mySessionsPage from './pages/my-sessions.js';
import profilePage from './pages/profile.js';
import registerPage from './pages/register.js';
import resetPasswordPage from './pages/reset-password.js';
import sessionFormPage from './pages/session-form.js';
import sessionPage from './pages/session.js';
import userPage from './pages/user.js';
import verifyEmailPage from './pages/verify-email.js';
import { registerRouter, startRouter } from './router.js';
import { registerToasts } from './toasts.js';

registerToasts();
registerRouter();
registerSession();
registerComponents();
registerClock();
registerConfirm();

Alpine.data('homePage', homePage);
Alpine.data('loginPage', loginPage);
Alpine.data('registerPage', registerPage);
Alpine.data('verifyEmailPage', verifyEmailPage);
Alpine.data('forgotPasswordPage', forgotPasswordPage);
Alpine.data('resetPasswordPage', resetPasswordPage);
Alpine.data('profilePage', profilePage);
Alpine.data('userPage', userPage);
Alpine.data('discoverPage', discoverPage);
Alpine.data('sessionPage', sessionPage);
Alpine.data('mentorPage', mentorPage);
Alpine.data('mySessionsPage', mySessionsPage);
Alpine.data('sessionFormPage', sessionFormPage);
Alpine.data('myBookingsPage', myBookingsPage);

Alpine.magic('initials', () => initials);
Alpine.magic('joined', () => joinedText);
Alpine.magic('money', () => moneyText);
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

window.Alpine = Alpine;
Alpine.start();

Alpine.store('session').restore().then(startRouter);
