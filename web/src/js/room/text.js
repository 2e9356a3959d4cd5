// Pure helpers of the room's chat: a message's text split into plain runs and safe links (rendered
// with x-text and :href, never as HTML), the length rule the API applies, attachment rules and sizes.
// No Alpine and no DOM here, so `node --test` can check them.

export const CHAT_MAX_CHARS = 2000; // code points, as the API counts them (Python's len)
export const ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;
export const ATTACHMENT_TYPES = {
  'image/png': 'image',
  'image/jpeg': 'image',
  'image/webp': 'image',
  'image/gif': 'image',
  'application/pdf': 'file',
  'text/plain': 'file',
  'application/zip': 'file',
};
// Browsers name a zip differently (Windows: x-zip-compressed); the API takes the standard names.
const TYPE_BY_EXTENSION = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif', pdf: 'application/pdf', txt: 'text/plain', zip: 'application/zip' };
export const ATTACHMENT_ACCEPT = Object.keys(ATTACHMENT_TYPES).join(',') + ',.zip';

/** Length in code points: an emoji counts once, as on the server. */
export const charCount = (text) => [...String(text ?? '')].length;

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?'"»”’]+$/;

/** The href for `candidate` when it is an http(s) URL a browser parses, else null. */
export function safeHref(candidate) {
  try {
    const url = new URL(candidate);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** Trailing punctuation and an unbalanced closing bracket belong to the sentence, not the URL. */
function trimUrl(raw) {
  let url = raw.replace(TRAILING, '');
  for (const [open, close] of [['(', ')'], ['[', ']']]) {
    while (url.endsWith(close) && url.split(close).length > url.split(open).length) {
      url = url.slice(0, -1).replace(TRAILING, '');
    }
  }
  return url;
}

/** "see https://x.y/z." -> [{text: 'see '}, {text: 'https://x.y/z', href: 'https://x.y/z'}, {text: '.'}]. */
export function messageParts(text) {
  const source = String(text ?? '');
  const parts = [];
  let last = 0;
  for (const match of source.matchAll(URL_PATTERN)) {
    const url = trimUrl(match[0]);
    const href = safeHref(url);
    if (!href) continue;
    if (match.index > last) parts.push({ text: source.slice(last, match.index) });
    parts.push({ text: url, href });
    last = match.index + url.length;
  }
  if (last < source.length) parts.push({ text: source.slice(last) });
  return parts.map((part, index) => ({ ...part, key: index }));
}

/** The API's content type for `file`, or null when it isn't one the room accepts. */
export function attachmentType(file) {
  if (ATTACHMENT_TYPES[file.type]) return file.type;
  const extension = String(file.name ?? '').split('.').pop().toLowerCase();
  const guessed = TYPE_BY_EXTENSION[extension];
  // Only trust the extension when the browser didn't know the type (or named zip its own way).
  return guessed && (!file.type || /zip/.test(file.type) || file.type === 'application/octet-stream') ? guessed : null;
}

/** Why `file` can't be attached, in words, or '' when it can. */
export function attachmentProblem(file) {
  if (!attachmentType(file)) return `“${file.name}” can't be shared here: send an image (PNG, JPEG, WebP, GIF), a PDF, a text file or a zip.`;
  if (file.size === 0) return `“${file.name}” is empty.`;
  if (file.size > ATTACHMENT_MAX_BYTES) return `“${file.name}” is ${sizeText(file.size)}; files can be at most 10 MB.`;
  return '';
}

/** "820 B", "14 KB", "3.2 MB". */
export function sizeText(bytes) {
  const n = Number(bytes) || 0;
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
}

/** Chat messages merged by id (a later copy wins), oldest first. */
export function mergeMessages(current, incoming) {
  const byId = new Map(current.map((message) => [message.id, message]));
  for (const message of incoming) if (message && message.id) byId.set(message.id, message);
  return [...byId.values()].sort((a, b) => String(a.sent_at).localeCompare(String(b.sent_at)) || String(a.id).localeCompare(String(b.id)));
}
