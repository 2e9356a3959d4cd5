// Each page of the registry (routes.js) and its Alpine component; main.js registers them all.
import adminUsersPage from './admin-users.js';
import discoverPage from './discover.js';
import forgotPasswordPage from './forgot-password.js';
import homePage from './home.js';
import loginPage from './login.js';
import mentorPage from './mentor.js';
import myBookingsPage from './my-bookings.js';
import mySessionsPage from './my-sessions.js';
import notFoundPage from './not-found.js';
import profilePage from './profile.js';
import registerPage from './register.js';
import resetPasswordPage from './reset-password.js';
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
  'admin-users': adminUsersPage,
  discover: discoverPage,
  'my-sessions': mySessionsPage,
  'my-bookings': myBookingsPage,
  profile: profilePage,
  user: userPage,
  session: sessionPage,
  mentor: mentorPage,
  'session-form': sessionFormPage,
  'not-found': notFoundPage,
};
