// Your data on the profile page: the download's file name, and the delete form refusing to send until it
// has the password and the word DELETE. Run: `npm test`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONFIRM_WORD, deletionProblems, exportFileName } from '../src/js/my-data.js';

test("the download keeps the API's file name", () => {
  assert.equal(exportFileName('attachment; filename="peerlearn-data-2026-11-30.json"'), 'peerlearn-data-2026-11-30.json');
});

test('without a usable name from the API the download is named by the day', () => {
  const day = new Date('2026-12-01T10:00:00Z');
  assert.equal(exportFileName(null, day), 'peerlearn-data-2026-12-01.json');
  assert.equal(exportFileName('attachment; filename="../../etc/passwd"', day), 'peerlearn-data-2026-12-01.json');
});

test('the delete form needs the password and DELETE in capitals', () => {
  assert.deepEqual(Object.keys(deletionProblems({ password: '', confirm: '' })), ['password', 'confirm']);
  assert.deepEqual(Object.keys(deletionProblems({ password: 'x', confirm: 'delete' })), ['confirm']);
  assert.deepEqual(deletionProblems({ password: 'x', confirm: ` ${CONFIRM_WORD} ` }), {});
});
