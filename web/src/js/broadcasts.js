// Admins' broadcasts and bulk email, the page's pure parts: the audiences, the request from the form
// (or what is wrong with it), a session id from a pasted link, and how progress reads.
import { plural } from './format.js';

export const LIMITS = { title: 120, body: 1000 };
export const AUDIENCES = [
  { value: 'everyone', label: 'Everyone' },
  { value: 'learners', label: 'Learners' },
  { value: 'mentors', label: 'Mentors' },
  { value: 'session', label: 'One session' },
  { value: 'tag', label: 'Interested in a tag' },
  { value: 'inactive', label: 'Inactive' },
];
export const CHANNELS = [
  { value: 'email', label: 'Email only' },
  { value: 'all', label: 'In the app, email and push (as each person allows)' },
];
export const MAX_INACTIVE_DAYS = 3650;
const SESSION_LINK = /\/sessions\/([A-Za-z0-9]{10,40})/;
const SITE_PATH = /^\/[A-Za-z0-9/_\-?=&.%#]*$/;

/** A session id from what an admin pasted: the id itself, or a link to the session's page. */
export function sessionIdFrom(text) {
  const value = (text ?? '').trim();
  const linked = SESSION_LINK.exec(value);
  if (linked) return linked[1];
  return /^[A-Za-z0-9]{10,40}$/.test(value) ? value : '';
}

/** The request body, or `{ errors }` naming each field that isn't right. */
export function broadcastRequest(form) {
  const errors = {};
  const title = form.title.trim();
  const body = form.body.trim();
  const link = form.link.trim();
  if (!title) errors.title = 'Give it a title.';
  else if (title.length > LIMITS.title) errors.title = `Keep the title to ${LIMITS.title} characters.`;
  if (!body) errors.body = 'Write the message.';
  else if (body.length > LIMITS.body) errors.body = `Keep the message to ${LIMITS.body} characters.`;
  if (link && !SITE_PATH.test(link)) errors.link = 'Use a page of this site, starting with / (like /discover).';
  const request = { audience: form.audience, title, body };
  if (link) request.link = link;
  if (form.template) request.template = form.template;
  if (form.channels) request.channels = form.channels;
  if (form.audience === 'session') {
    const sessionId = sessionIdFrom(form.session);
    if (!sessionId) errors.session = "Paste the session's id or its link.";
    request.session_id = sessionId;
  }
  if (form.audience === 'tag') {
    const tag = (form.tag ?? '').trim();
    if (!tag) errors.tag = 'Name the tag (as people write it in their interests).';
    else if (tag.length > 40) errors.tag = 'A tag is at most 40 characters.';
    request.tag = tag;
  }
  if (form.audience === 'inactive') {
    const days = Number(String(form.inactiveDays ?? '').trim());
    if (!Number.isInteger(days) || days < 1 || days > MAX_INACTIVE_DAYS) {
      errors.inactiveDays = `A whole number of days from 1 to ${MAX_INACTIVE_DAYS}.`;
    }
    request.inactive_days = days;
  }
  return Object.keys(errors).length ? { errors } : { request };
}

export const sending = (item) => item.status !== 'done';

export function percent(item) {
  if (item.status === 'done') return 100;
  return item.recipients ? Math.min(100, Math.round((100 * handled(item)) / item.recipients)) : 0;
}

const handled = (item) => item.sent + (item.failed ?? 0);

export function progressText(item) {
  const total = plural(item.recipients, 'person', 'people');
  const failed = item.failed ? ` · ${item.failed} failed` : '';
  if (item.status === 'done') return `Sent to ${plural(item.sent, 'person', 'people')}${failed}`;
  if (item.status === 'queued') return `Queued for ${total}`;
  return `${item.sent} of ${total} so far${failed}`;
}

/** The audience in words, for the confirmation and the list. */
export function audienceText(item) {
  if (item.audience === 'tag') return `people interested in ${item.tag}`;
  if (item.audience === 'inactive') return `people not signed in for ${plural(item.inactive_days, 'day', 'days')}`;
  if (item.audience === 'session') return "the session's attendees";
  return (AUDIENCES.find((a) => a.value === item.audience)?.label ?? item.audience).toLowerCase();
}
