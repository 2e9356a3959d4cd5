// The admin sessions page's words: which list the query asks for, a live row's counts, and how long
// a session has run. Run: `npm test` (node --test, no browser).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FLAG_WORDS, liveCounts, runningText, stateFrom } from '../admin/js/sessions-words.js';

test('the list comes from the query string, live when it names none', () => {
  assert.equal(stateFrom({ state: 'flagged' }), 'flagged');
  assert.equal(stateFrom({ state: 'everything' }), 'live');
  assert.equal(stateFrom({}), 'live');
});

test('a live row counts who is in, waiting and watching', () => {
  assert.equal(liveCounts({ participants_now: 3, waiting_now: 1, observers_now: 1 }), '3 in the room · 1 waiting · 1 watching');
  assert.equal(liveCounts({ participants_now: 0, waiting_now: 0, observers_now: 0 }), '0 in the room');
});

test('a live session is running, an ended one ran', () => {
  assert.equal(runningText({ status: 'live', duration_seconds: 12 * 60 + 30 }), 'running 12 min');
  assert.equal(runningText({ status: 'completed', duration_seconds: 65 * 60 }), 'ran 1 h 5 min');
  assert.equal(runningText({ status: 'scheduled', duration_seconds: null }), '');
});

test('every flag reason the API sends has words', () => {
  assert.deepEqual(Object.keys(FLAG_WORDS).sort(), ['learner_removed', 'low_rating', 'mentor_no_show']);
});
