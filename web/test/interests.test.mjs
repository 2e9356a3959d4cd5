// Sign-up's interest chips: trending tags first (by how often they appear), then starter topics,
// without repeats whatever the case; pressing a chip adds it or takes it out. Run: `npm test`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { STARTER_TAGS, hasTag, popularTags, toggleTag } from '../src/js/interests.js';

const pick = (...tags) => ({ session: { id: tags.join('-'), tags }, reason: { kind: 'trending', text: 'Popular this week' } });

test('with nothing trending the starter topics are offered, up to the limit', () => {
  assert.deepEqual(popularTags([]), STARTER_TAGS.slice(0, 12));
  assert.deepEqual(popularTags([], { max: 3 }), STARTER_TAGS.slice(0, 3));
});

test('trending tags lead, most frequent first, ties in the order they came', () => {
  const tags = popularTags([pick('Rust', 'Go'), pick('Go'), pick('Kotlin')], { starters: ['Python'], max: 10 });
  assert.deepEqual(tags, ['Go', 'Rust', 'Kotlin', 'Python']);
});

test('a tag is offered once whatever its case or spacing, as first written', () => {
  const tags = popularTags([pick('python ', 'SQL'), pick('Python')], { starters: ['Python', 'sql', 'Career'], max: 10 });
  assert.deepEqual(tags, ['python', 'SQL', 'Career']);
});

test('picks without tags or sessions are skipped', () => {
  assert.deepEqual(popularTags([{}, { session: {} }, pick('')], { starters: ['A'], max: 5 }), ['A']);
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
