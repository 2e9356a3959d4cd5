// The room monitor's words and rows: where each person is, the summary read to screen readers, and
// time in the room counted on between polls. Run: `npm test` (node --test, no browser).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { monitorRows, monitorSummary, roleText, stayText, whereText } from '../src/js/room-monitor-rows.js';

const person = (fields) => ({
  user_id: 'u',
  name: 'Asha',
  room_role: 'learner',
  status: 'admitted',
  connected: true,
  joined_at: '2026-11-30T10:00:00Z',
  left_at: null,
  seconds_in_room: 60,
  stays: 1,
  ...fields,
});

test('where someone is, in words', () => {
  assert.equal(whereText(person({})), 'In the room');
  assert.equal(whereText(person({ connected: false })), 'Dropped');
  assert.equal(whereText(person({ status: 'waiting' })), 'Waiting');
  assert.equal(whereText(person({ status: 'left', connected: false })), 'Left');
  assert.equal(whereText(person({ status: 'removed', connected: false })), 'Removed');
});

test('an admin watching is named as an observer', () => {
  assert.equal(roleText(person({ room_role: 'observer' })), 'Observer (admin)');
  assert.equal(roleText(person({ room_role: 'mentor' })), 'Mentor');
});

test('the summary counts each kind once', () => {
  const people = [
    person({ room_role: 'mentor' }),
    person({}),
    person({ status: 'waiting' }),
    person({ status: 'left', connected: false }),
    person({ connected: false }),
  ];
  assert.equal(monitorSummary(people), '2 in the room, 1 waiting, 1 dropped, 1 left');
  assert.equal(monitorSummary([]), '0 in the room');
});

test('time in the room moves on between polls only for people still in it', () => {
  const data = { participants: [person({}), person({ user_id: 'gone', status: 'left', connected: false, left_at: '2026-11-30T10:01:00Z' })] };
  const [here, gone] = monitorRows(data, 10_000 + 30_000, 10_000);
  assert.equal(here.seconds, 90);
  assert.equal(gone.seconds, 60);
  assert.equal(gone.where, 'Left');
});

test('durations read as people count them', () => {
  assert.equal(stayText(40), '40 s');
  assert.equal(stayText(12 * 60 + 5), '12 min');
  assert.equal(stayText(65 * 60), '1 h 5 min');
  assert.equal(stayText(120 * 60), '2 h');
});
