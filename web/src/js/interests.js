// Choosing interests at sign-up: the topics offered as chips (starter topics, then what is trending,
// added after them when it arrives so nothing moves) and picking one, case-insensitively as the tag
// input does. Pure: npm test runs it under Node.

// Topics shown at sign-up at once, before what is trending: the catalogue's broad areas.
export const STARTER_TAGS = [
  'Python',
  'JavaScript',
  'System design',
  'Machine learning',
  'SQL',
  'UX design',
  'Career',
  'Interviews',
  'AWS',
  'Data analysis',
  'Public speaking',
  'Product management',
];
const TRENDING_ADDED = 8;

/**
 * The chips after the trending answer arrives: the ones already `shown` stay where they are (a person
 * may be reaching for one), and the tags of what is trending now (most frequent first) are added
 * after them, case-insensitively without repeats, at most `added` of them.
 */
export function withTrending(shown, picks = [], { added = TRENDING_ADDED } = {}) {
  const counts = new Map();
  for (const pick of picks) {
    for (const tag of pick?.session?.tags ?? []) {
      const key = tag.trim().toLowerCase();
      if (!key) continue;
      const seen = counts.get(key);
      counts.set(key, { tag: seen?.tag ?? tag.trim(), count: (seen?.count ?? 0) + 1 });
    }
  }
  const trending = [...counts.values()].sort((a, b) => b.count - a.count).map((entry) => entry.tag);
  const tags = [...shown];
  for (const tag of trending) {
    if (tags.length >= shown.length + added) break;
    if (!hasTag(tags, tag)) tags.push(tag);
  }
  return tags;
}

/** Whether `tags` holds `tag`, ignoring case (the tag input treats "python" and "Python" as one). */
export const hasTag = (tags, tag) => tags.some((kept) => kept.toLowerCase() === tag.toLowerCase());

/** `tags` with `tag` added, or taken out when it is there already (a chip pressed twice); at most `max`. */
export function toggleTag(tags, tag, max = 20) {
  if (hasTag(tags, tag)) return tags.filter((kept) => kept.toLowerCase() !== tag.toLowerCase());
  return tags.length >= max ? tags : [...tags, tag];
}
