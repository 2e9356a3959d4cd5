// The notifications' pure helpers: the bell's text and name, merging the list with live messages,
// which notifications a reconnect toasts, and which links a notification may open.
// Run: `npm test` (node --test, no browser).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { badgeText, bellLabel, latestNotifications, mergeNotifications, notificationHref, unseenUnread } from '../src/js/notification-list.js';

const at = (minute) => `2026-11-29T10:${String(minute).padStart(2, '0')}:00Z`;
const item = (id, minute, read = false) => ({ id, title: `t${id}`, created_at: at(minute), read });

test('the badge shows the count, and 99+ past that', () => {
  assert.equal(badgeText(0), '0');
  assert.equal(badgeText(7), '7');
  assert.equal(badgeText(99), '99');
  assert.equal(badgeText(100), '99+');
  assert.equal(badgeText(undefined), '0');
  assert.equal(badgeText(-3), '0');
});

test("the bell's accessible name carries the unread count", () => {
  assert.equal(bellLabel(3), 'Notifications, 3 unread');
  assert.equal(bellLabel(0), 'Notifications, none unread');
});

test('merging keeps each notification once, newest first, the later copy winning', () => {
  const merged = mergeNotifications([item('a', 1), item('b', 3)], [item('c', 2), item('a', 1, true)]);
  assert.deepEqual(
    merged.map((n) => [n.id, n.read]),
    [
      ['b', false],
      ['c', false],
      ['a', true],
    ],
  );
});

test("the home's latest are the newest few of the fetched and the live, each once, the live copy winning", () => {
  const fetched = [item('a', 1), item('b', 2), item('c', 3)];
  const live = [item('d', 4), item('b', 2, true)];
  assert.deepEqual(
    latestNotifications(fetched, live, 3).map((n) => [n.id, n.read]),
    [
      ['d', false],
      ['c', false],
      ['b', true],
    ],
  );
  assert.deepEqual(latestNotifications([], [], 5), []);
});

test('a reconnect toasts only unread notifications this tab had not seen, oldest first, a few at most', () => {
  const page = [item('e', 5), item('d', 4, true), item('c', 3), item('b', 2), item('a', 1)];
  assert.deepEqual(
    unseenUnread(page, new Set(['c'])).map((n) => n.id),
    ['a', 'b', 'e'],
  );
  assert.deepEqual(
    unseenUnread(page, new Set(), 2).map((n) => n.id),
    ['c', 'e'],
  );
  assert.deepEqual(unseenUnread(page, new Set(page.map((n) => n.id))), []);
});

test("a notification opens only a page of this site", () => {
  assert.equal(notificationHref({ link: '/sessions/01ABC' }), '/sessions/01ABC');
  assert.equal(notificationHref({ link: 'https://evil.example/' }), '/notifications');
  assert.equal(notificationHref({ link: '//evil.example/' }), '/notifications');
  assert.equal(notificationHref({ link: 'javascript:alert(1)' }), '/notifications');
  assert.equal(notificationHref({ link: '/\\evil.example/' }), '/notifications');
  assert.equal(notificationHref({ link: '/\tsessions' }), '/notifications');
  assert.equal(notificationHref({ link: null }), '/notifications');
});
