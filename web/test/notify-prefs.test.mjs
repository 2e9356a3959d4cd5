// The notification settings form's helpers: only what changed is sent, quiet hours are checked.
// Run: `npm test` (node --test, no browser).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changesOf, copy, quietProblems } from '../src/js/notify-prefs.js';

const saved = [
  { name: 'bookings', channels: { in_app: true, email: true, push: true }, locked: [] },
  { name: 'room', channels: { in_app: true, email: false, push: true }, locked: [] },
];
const quiet = { enabled: false, start: '22:00', end: '07:00' };

test('nothing changed sends nothing', () => {
  assert.equal(changesOf(copy(saved), saved, copy(quiet), quiet), null);
});

test('only the boxes that changed are sent, per category', () => {
  const now = copy(saved);
  now[0].channels.email = false;
  now[1].channels.email = true;
  assert.deepEqual(changesOf(now, saved, quiet, quiet), {
    channels: { bookings: { email: false }, room: { email: true } },
  });
});

test('a box turned off and on again is not a change', () => {
  const now = copy(saved);
  now[0].channels.push = false;
  now[0].channels.push = true;
  assert.equal(changesOf(now, saved, quiet, quiet), null);
});

test('quiet hours are sent whole when any part changed', () => {
  assert.deepEqual(changesOf(saved, saved, { ...quiet, enabled: true }, quiet), {
    quiet_hours: { enabled: true, start: '22:00', end: '07:00' },
  });
});

test('quiet hours need two different HH:MM times', () => {
  assert.deepEqual(quietProblems({ enabled: true, start: '22:00', end: '07:00' }), {});
  assert.ok(quietProblems({ enabled: true, start: '', end: '07:00' }).start);
  assert.ok(quietProblems({ enabled: true, start: '22:00', end: '24:00' }).end);
  assert.ok(quietProblems({ enabled: true, start: '07:00', end: '07:00' }).end);
});
