// Entry point: registers the stores, components and pages with Alpine, restores the session from
// the refresh cookie, then starts routing.
import Alpine from 'alpinejs';
import { registerSession } from './auth.js';
import { registerComponents } from './components.js';
import { initials, joinedText } from './people.js';
import forgotPasswordPage from './pages/forgot-password.js';
import homePage from './pages/home.js';
import loginPage from './pages/login.js';
import profilePage from './pages/profile.js';
import registerPage from './pages/register.js';
import resetPasswordPage from './pages/reset-password.js';
import userPage from './pages/user.js';
import verifyEmailPage from './pages/verify-email.js';
import { registerRouter, startRouter } from './router.js';
import { registerToasts } from './toasts.js';

registerToasts();
registerRouter();
registerSession();
registerComponents();

Alpine.data('homePage', homePage);
Alpine.data('loginPage', loginPage);
Alpine.data('registerPage', registerPage);
Alpine.data('verifyEmailPage', verifyEmailPage);
Alpine.data('forgotPasswordPage', forgotPasswordPage);
Alpine.data('resetPasswordPage', resetPasswordPage);
Alpine.data('profilePage', profilePage);
Alpine.data('userPage', userPage);

Alpine.magic('initials', () => initials);
Alpine.magic('joined', () => joinedText);

window.Alpine = Alpine;
Alpine.start();

Alpine.store('session').restore().then(startRouter);
