// The broadcasts page's pure parts: the request built from the form, and progress in words.
// Run: `npm test` (node --test, no browser).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { audienceText, broadcastRequest, percent, progressText, sessionIdFrom } from '../src/js/broadcasts.js';

const form = (fields) => ({ audience: 'everyone', session: '', title: 'Hello', body: 'News', link: '', ...fields });

test('a complete form becomes the request, trimmed, without empty optional fields', () => {
  assert.deepEqual(broadcastRequest(form({ title: '  Hello ', link: ' /discover ' })), {
    request: { audience: 'everyone', title: 'Hello', body: 'News', link: '/discover' },
  });
  assert.deepEqual(broadcastRequest(form({})).request, { audience: 'everyone', title: 'Hello', body: 'News' });
});

test('each missing or wrong field is named', () => {
  const { errors } = broadcastRequest(form({ title: ' ', body: '', link: 'https://evil.example', audience: 'session' }));
  assert.deepEqual(Object.keys(errors).sort(), ['body', 'link', 'session', 'title']);
});

test('a session is found from its id or a link to its page', () => {
  assert.equal(sessionIdFrom('https://peerlearn.example/sessions/01JABCDEFGHJKMNPQRSTV/room'), '01JABCDEFGHJKMNPQRSTV');
  assert.equal(sessionIdFrom(' 01JABCDEFGHJKMNPQRSTV '), '01JABCDEFGHJKMNPQRSTV');
  assert.equal(sessionIdFrom('not a session'), '');
  assert.equal(broadcastRequest(form({ audience: 'session', session: '/sessions/01JABCDEFGHJKMNPQRSTV' })).request.session_id, '01JABCDEFGHJKMNPQRSTV');
});

test('progress reads in people and fills to the end when done', () => {
  assert.equal(progressText({ status: 'queued', recipients: 3, sent: 0 }), 'Queued for 3 people');
  assert.equal(progressText({ status: 'sending', recipients: 40, sent: 14 }), '14 of 40 people so far');
  assert.equal(progressText({ status: 'done', recipients: 1, sent: 1 }), 'Sent to 1 person');
  assert.equal(percent({ status: 'sending', recipients: 40, sent: 14 }), 35);
  assert.equal(percent({ status: 'done', recipients: 0, sent: 0 }), 100);
});

test('a tag or inactive audience needs its tag or its days, and the template and channels go along', () => {
  assert.deepEqual(
    broadcastRequest(form({ audience: 'tag', tag: ' Rust ', template: 'new_sessions', channels: 'email' })).request,
    { audience: 'tag', title: 'Hello', body: 'News', template: 'new_sessions', channels: 'email', tag: 'Rust' },
  );
  assert.equal(broadcastRequest(form({ audience: 'inactive', inactiveDays: '30' })).request.inactive_days, 30);
  assert.deepEqual(Object.keys(broadcastRequest(form({ audience: 'tag', tag: ' ' })).errors), ['tag']);
  for (const days of ['', '0', '2.5', 'ten', '3651']) {
    assert.deepEqual(Object.keys(broadcastRequest(form({ audience: 'inactive', inactiveDays: days })).errors), ['inactiveDays'], days);
  }
});

test('failures are counted in the progress and the audience reads in words', () => {
  assert.equal(progressText({ status: 'sending', recipients: 10, sent: 4, failed: 1 }), '4 of 10 people so far · 1 failed');
  assert.equal(progressText({ status: 'done', recipients: 10, sent: 9, failed: 1 }), 'Sent to 9 people · 1 failed');
  assert.equal(percent({ status: 'sending', recipients: 10, sent: 4, failed: 1 }), 50);
  assert.equal(audienceText({ audience: 'tag', tag: 'Rust' }), 'people interested in Rust');
  assert.equal(audienceText({ audience: 'inactive', inactive_days: 30 }), 'people not signed in for 30 days');
  assert.equal(audienceText({ audience: 'learners' }), 'learners');
});
