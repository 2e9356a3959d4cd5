// The admin site's pure parts: its registry (every page has its files, every path is under /admin),
// the audit log's words and filters, and what an admin may do to an account. Run: `npm test`.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ACTIONS, actionLabel, auditFilters, changedFields, targetHref } from '../admin/js/audit.js';
import { ADMIN_PAGES, ADMIN_ROUTES, adminNav, isAdminPath } from '../admin/js/routes.js';
import { USER_ACTIONS, actionsFor, formProblem } from '../admin/js/user-actions.js';
import { isAppPath, navFor } from '../src/js/routes.js';

const web = join(dirname(fileURLToPath(import.meta.url)), '..');

test('every admin page has its fragment and component, and every route is the admin site\'s', () => {
  for (const page of ADMIN_PAGES) {
    assert.ok(existsSync(join(web, 'admin', 'pages', `${page}.html`)), `admin/pages/${page}.html`);
    assert.ok(existsSync(join(web, 'admin', 'js', 'pages', `${page}.js`)), `admin/js/pages/${page}.js`);
  }
  for (const route of ADMIN_ROUTES) {
    assert.ok(isAdminPath(route.path), route.path);
    assert.ok(!isAppPath(route.path), route.path);
    if (route.page) assert.deepEqual(route.roles, ['admin'], `${route.name} is for admins only`);
  }
  const nav = adminNav().map((link) => link.name);
  for (const name of ['users', 'audit', 'data-requests']) assert.ok(nav.includes(name), name);
  assert.equal(new Set(nav).size, nav.length);
  assert.deepEqual(nav.slice(0, 2), ['overview', 'users']);
});

test('the two sites split the paths between them', () => {
  for (const path of ['/admin', '/admin/', '/admin/users', '/admin/users/01ABC', '/admin?x=1']) {
    assert.ok(isAdminPath(path) && !isAppPath(path), path);
  }
  for (const path of ['/', '/login?next=/admin/users', '/administrators', '/my/bookings', '/sessions/admin']) {
    assert.ok(isAppPath(path) && !isAdminPath(path), path);
  }
});

test("the app's menu offers admins the admin site and nobody else", () => {
  assert.deepEqual(navFor('admin').find((link) => link.name === 'admin-site'), { name: 'admin-site', path: '/admin/', label: 'Admin site', lit: [] });
  for (const role of ['learner', 'mentor']) assert.equal(navFor(role).some((link) => link.name === 'admin-site'), false);
  assert.equal(navFor('admin').some((link) => link.path.startsWith('/admin/users')), false);
});

test('audit entries read in words, with the fields changed and never their values', () => {
  assert.equal(actionLabel('user.ban'), 'Banned');
  assert.equal(actionLabel('user.new_thing'), 'user.new_thing');
  assert.equal(changedFields({ after: { name: 'Secret Name', ban_reason: 'x' } }), 'name, ban reason');
  assert.equal(changedFields({ before: { headline: 'old' }, after: null }), 'headline');
  assert.equal(changedFields({}), '');
  assert.equal(changedFields({ after: { changed: ['name', 'time_zone'] } }), 'name, time zone'); // names only, as the log keeps them
  assert.equal(changedFields({ fields: ['name', 'headline'], before: null, after: null }), 'name, headline'); // the log's own list
  assert.equal(targetHref({ target_type: 'user', target_id: 'a b' }), '/admin/users/a%20b');
  assert.equal(targetHref({ target_type: 'payment', target_id: 'pay_1' }), null);
  assert.ok(ACTIONS.every((action) => /^[a-z_]+\.[a-z_]+$/.test(action.value)));
});

test('audit filters keep ids and known actions only', () => {
  assert.deepEqual(auditFilters({ actor: ' 01ADMIN ', target: 'x"><script>', action: 'user.ban' }), { actor: '01ADMIN', target: '', action: 'user.ban' });
  assert.deepEqual(auditFilters({ action: 'user.drop' }), { actor: '', target: '', action: '' });
  assert.deepEqual(auditFilters(), { actor: '', target: '', action: '' });
});

const person = (fields = {}) => ({ id: 'u1', name: 'Asha', email: 'a@x.in', role: 'learner', email_verified: true, banned: false, deactivated: false, ...fields });
const me = { id: 'admin1', role: 'admin' };

test('the actions offered follow the account: ban or lift, deactivate or activate, verify when unverified', () => {
  assert.deepEqual(actionsFor(person(), me), ['ban', 'deactivate', 'role', 'delete']);
  assert.deepEqual(actionsFor(person({ banned: true, deactivated: true, email_verified: false }), me), ['verify', 'unban', 'activate', 'role', 'delete']);
  assert.deepEqual(actionsFor(person({ deleted: true, banned: true }), me), []); // an erased account: nothing more to do
  assert.deepEqual(actionsFor(person({ role: 'admin' }), me), []);
  assert.deepEqual(actionsFor(person({ id: 'admin1', role: 'admin' }), me), []);
});

test('deleting an account for its owner sends a reason and the word the API asks for', () => {
  const { method, path, body } = USER_ACTIONS.delete.request({ id: 'u/1' }, { reason: 'Ticket 4512' });
  assert.equal(method, 'POST');
  assert.equal(path, '/api/admin/users/u%2F1/delete');
  assert.deepEqual(body, { reason: 'Ticket 4512', confirm: 'DELETE' });
  assert.match(formProblem('delete', person(), { reason: '' }), /reason of 3 to 500/);
});

test('a reason is required where the API keeps one, and a role must change', () => {
  assert.match(formProblem('ban', person(), { reason: ' ' }), /reason of 3 to 500/);
  assert.equal(formProblem('ban', person(), { reason: 'Spam' }), '');
  assert.equal(formProblem('verify', person(), { reason: '' }), '');
  assert.match(formProblem('verify', person(), { reason: 'ab' }), /reason/);
  assert.match(formProblem('role', person(), { reason: 'Passed review', role: 'learner' }), /other than learner/);
  assert.match(formProblem('role', person(), { reason: 'Passed review', role: 'admin' }), /other than/);
  assert.equal(formProblem('role', person(), { reason: 'Passed review', role: 'mentor' }), '');
});

test('each action is the API call it names', () => {
  const user = person({ id: 'u/1' });
  assert.deepEqual(USER_ACTIONS.ban.request(user, { reason: 'Spam' }), { method: 'PUT', path: '/api/admin/users/u%2F1/ban', body: { reason: 'Spam' } });
  assert.deepEqual(USER_ACTIONS.unban.request(user, { reason: 'Appeal' }).method, 'DELETE');
  assert.deepEqual(USER_ACTIONS.verify.request(user, { reason: '' }).body, {});
  assert.deepEqual(USER_ACTIONS.role.request(user, { reason: 'ok!', role: 'mentor' }), {
    method: 'PUT',
    path: '/api/admin/users/u%2F1/role',
    body: { role: 'mentor', reason: 'ok!' },
  });
  assert.equal(USER_ACTIONS.deactivate.request(user, { reason: 'Asked' }).path, '/api/admin/users/u%2F1/deactivate');
});
