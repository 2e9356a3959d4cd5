// The room panels' pure helpers: safe links, attachment rules, message merging, recording parts.
// Run: `npm test` (node --test, no browser).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { partCutter } from '../src/js/room/parts.js';
import { attachmentProblem, attachmentType, charCount, mergeMessages, messageParts, safeHref, sizeText } from '../src/js/room/text.js';

test('links become parts with an href; the rest stays text', () => {
  assert.deepEqual(
    messageParts('see https://example.com/a?b=1. ok').map(({ text, href }) => ({ text, href })),
    [{ text: 'see ', href: undefined }, { text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' }, { text: '. ok', href: undefined }],
  );
});

test('only http and https links are made, and markup stays text', () => {
  const parts = messageParts('javascript:alert(1) <img src=x onerror=alert(1)> data:text/html,hi');
  assert.equal(parts.length, 1);
  assert.equal(parts[0].href, undefined);
  assert.equal(safeHref('javascript:alert(1)'), null);
  assert.equal(safeHref('https://ok.example/'), 'https://ok.example/');
});

test('a closing bracket the URL did not open stays outside it', () => {
  const parts = messageParts('(docs: https://en.wikipedia.org/wiki/Rust_(programming_language))');
  assert.equal(parts[1].href, 'https://en.wikipedia.org/wiki/Rust_(programming_language)');
  assert.equal(parts[2].text, ')');
});

test('an emoji counts as one character, as the API counts', () => {
  assert.equal(charCount('👍🏽a'), 3); // thumbs up + skin tone modifier are two code points
  assert.equal(charCount('🎉'), 1);
});

test('attachments: allowed types, 10 MB, clear refusals', () => {
  assert.equal(attachmentType({ name: 'a.png', type: 'image/png' }), 'image/png');
  assert.equal(attachmentType({ name: 'a.zip', type: 'application/x-zip-compressed' }), 'application/zip');
  assert.equal(attachmentType({ name: 'a.exe', type: 'application/x-msdownload' }), null);
  assert.equal(attachmentType({ name: 'a.png', type: 'text/html' }), null);
  assert.equal(attachmentProblem({ name: 'a.pdf', type: 'application/pdf', size: 10 * 1024 * 1024 }), '');
  assert.match(attachmentProblem({ name: 'b.pdf', type: 'application/pdf', size: 10 * 1024 * 1024 + 1 }), /at most 10 MB/);
  assert.match(attachmentProblem({ name: 'c.svg', type: 'image/svg+xml', size: 10 }), /can't be shared/);
  assert.equal(sizeText(3 * 1024 * 1024), '3 MB');
});

test('messages merge by id, oldest first', () => {
  const a = { id: 'a', sent_at: '2026-11-29T10:00:00.000Z', text: 'one' };
  const b = { id: 'b', sent_at: '2026-11-29T10:00:01.000Z', text: 'two' };
  assert.deepEqual(mergeMessages([b], [a, b]).map((m) => m.id), ['a', 'b']);
});

test('parts are at least the minimum, except the last', () => {
  const cutter = partCutter(10);
  const blob = (size) => ({ size });
  assert.equal(cutter.add(blob(4)), null);
  assert.equal(cutter.add(blob(0)), null);
  assert.equal(cutter.add(blob(4)), null);
  const first = cutter.add(blob(4));
  assert.deepEqual([first.part_number, first.size, first.blobs.length], [1, 12, 3]);
  assert.equal(cutter.finish(), null); // nothing held: no empty part
  cutter.add(blob(3));
  assert.deepEqual([cutter.finish().part_number, cutter.heldBytes], [2, 0]);
});
