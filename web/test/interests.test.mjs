// Sign-up's interest chips: starter topics at once, trending tags added after them (by how often they
// appear) without moving any chip, without repeats whatever the case; pressing a chip adds it or takes it out. Run: `npm test`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { STARTER_TAGS, hasTag, toggleTag, withTrending } from '../src/js/interests.js';

const pick = (...tags) => ({ session: { id: tags.join('-'), tags }, reason: { kind: 'trending', text: 'Popular this week' } });

test('with nothing trending the chips stay as shown', () => {
  assert.deepEqual(withTrending(STARTER_TAGS, []), STARTER_TAGS);
  assert.deepEqual(withTrending(['A', 'B'], [{}, { session: {} }, pick('')]), ['A', 'B']);
});

test('trending tags are added after the chips shown, most frequent first, and none shown moves', () => {
  const tags = withTrending(['Python', 'SQL'], [pick('Rust', 'Go'), pick('Go'), pick('Kotlin')]);
  assert.deepEqual(tags, ['Python', 'SQL', 'Go', 'Rust', 'Kotlin']);
});

test('a trending tag already shown is not added again whatever its case or spacing', () => {
  const tags = withTrending(['Python', 'Career'], [pick('python ', 'SQL'), pick('Python'), pick('sql')]);
  assert.deepEqual(tags, ['Python', 'Career', 'SQL']);
});

test('at most `added` trending tags join', () => {
  const tags = withTrending(['A'], [pick('B', 'C', 'D')], { added: 2 });
  assert.deepEqual(tags, ['A', 'B', 'C']);
});

test('pressing a chip adds the topic, pressing it again takes it out (any case)', () => {
  const once = toggleTag(['Go'], 'Python');
  assert.deepEqual(once, ['Go', 'Python']);
  assert.ok(hasTag(once, 'python'));
  assert.deepEqual(toggleTag(once, 'PYTHON'), ['Go']);
});

test('no more than the limit is added', () => {
  const full = Array.from({ length: 20 }, (_, n) => `Topic ${n}`);
  assert.equal(toggleTag(full, 'One more', 20), full);
  assert.deepEqual(toggleTag(full, 'Topic 3', 20).length, 19);
});
