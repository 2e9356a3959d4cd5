// Each page of the admin registry (routes.js) and its Alpine component; main.js registers them all.
// One line per page: each page's owner adds theirs.
import assistantPage from './assistant.js';
import auditPage from './audit.js';
import dataRequestsPage from './data-requests.js';
import emailPage from './email.js';
import forbiddenPage from './forbidden.js';
import moneyPage from './money.js';
import notFoundPage from './not-found.js';
import overviewPage from './overview.js';
import reportsPage from './reports.js';
import sessionsPage from './sessions.js';
import userPage from './user.js';
import usersPage from './users.js';

export const PAGE_COMPONENTS = {
  overview: overviewPage,
  reports: reportsPage,
  assistant: assistantPage,
  users: usersPage,
  user: userPage,
  sessions: sessionsPage,
  audit: auditPage,
  'data-requests': dataRequestsPage,
  money: moneyPage,
  email: emailPage,
  forbidden: forbiddenPage,
  'not-found': notFoundPage,
};
