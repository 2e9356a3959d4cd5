// Each page of the registry (routes.js) and its Alpine component; main.js registers them all.
import discoverPage from './discover.js';
import forgotPasswordPage from './forgot-password.js';
import homePage from './home.js';
import loginPage from './login.js';
import mentorPage from './mentor.js';
import myBookingsPage from './my-bookings.js';
import myEarningsPage from './my-earnings.js';
import myPaymentsPage from './my-payments.js';
import mySessionsPage from './my-sessions.js';
import notFoundPage from './not-found.js';
import unsubscribePage from './unsubscribe.js';
import notificationSettingsPage from './notification-settings.js';
import notificationsPage from './notifications.js';
import profilePage from './profile.js';
import receiptPage from './receipt.js';
import registerPage from './register.js';
import resetPasswordPage from './reset-password.js';
import roomPage from './room.js';
import sessionFormPage from './session-form.js';
import sessionPage from './session.js';
import userPage from './user.js';
import verifyEmailPage from './verify-email.js';

export const PAGE_COMPONENTS = {
  home: homePage,
  login: loginPage,
  register: registerPage,
  'verify-email': verifyEmailPage,
  'forgot-password': forgotPasswordPage,
  'reset-password': resetPasswordPage,
  discover: discoverPage,
  'my-sessions': mySessionsPage,
  'my-bookings': myBookingsPage,
  'my-payments': myPaymentsPage,
  receipt: receiptPage,
  'my-earnings': myEarningsPage,
  profile: profilePage,
  user: userPage,
  session: sessionPage,
  room: roomPage,
  mentor: mentorPage,
  'session-form': sessionFormPage,
  'notifications': notificationsPage,
  'notification-settings': notificationSettingsPage,
  'unsubscribe': unsubscribePage,
  'not-found': notFoundPage,
};
