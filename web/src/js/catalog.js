// What the session pages share: the bounds a session must keep (mirrored from the API), the choices
// forms offer, status badges, and small facts derived from a session or booking.
import { durationText, momentText, moneyText, plural, relativeText, whenText } from './format.js';

export const TITLE_MIN = 3;
export const TITLE_MAX = 120;
export const DESCRIPTION_MAX = 5000;
export const TAGS_MAX = 8;
export const DURATION_MIN = 15;
export const DURATION_MAX = 240;
export const CAPACITY_MAX = 7; // the API's MAX_CAPACITY: the mentor and 7 learners fill a room
export const PRICE_MIN_PAISE = 4_900;
export const PRICE_MAX_PAISE = 5_000_000;
export const EARLY_JOIN_MAX = 30;
export const EARLY_JOIN_DEFAULT = 10;
export const REVIEW_TEXT_MAX = 2000;
export const REVIEW_EDIT_DAYS = 7;

export const LEVELS = [
  { value: 'beginner', label: 'Beginner' },
  { value: 'intermediate', label: 'Intermediate' },
  { value: 'advanced', label: 'Advanced' },
];

export const LANGUAGES = [
  'English', 'Hindi', 'Bengali', 'Marathi', 'Telugu', 'Tamil', 'Gujarati', 'Urdu', 'Kannada',
  'Odia', 'Malayalam', 'Punjabi', 'Assamese',
];

export const DURATIONS = [15, 30, 45, 60, 75, 90, 120, 150, 180, 240].map((minutes) => ({
  value: minutes,
  label: durationText(minutes),
}));

export const SORTS = [
  { value: 'soonest', label: 'Soonest first' },
  { value: 'price', label: 'Lowest price' },
  { value: 'rating', label: 'Best rated' },
  { value: 'popularity', label: 'Most popular' },
];

export const levelLabel = (level) => LEVELS.find((l) => l.value === level)?.label ?? level ?? '';

const LEVEL_BADGES = {
  beginner: 'bg-emerald-50 text-emerald-800 ring-1 ring-emerald-200',
  intermediate: 'bg-sky-50 text-sky-800 ring-1 ring-sky-200',
  advanced: 'bg-violet-50 text-violet-800 ring-1 ring-violet-200',
};
export const levelBadge = (level) => LEVEL_BADGES[level] ?? 'bg-slate-100 text-slate-700';

// Session and booking statuses as people read them, with the colour of their badge.
const STATUSES = {
  scheduled: ['Scheduled', 'bg-brand-50 text-brand-800 ring-1 ring-brand-200'],
  live: ['Live now', 'bg-red-600 text-white'],
  completed: ['Completed', 'bg-slate-100 text-slate-700 ring-1 ring-slate-200'],
  cancelled: ['Cancelled', 'bg-rose-50 text-rose-800 ring-1 ring-rose-200'],
  held: ['Seat held', 'bg-amber-100 text-amber-900 ring-1 ring-amber-200'],
  confirmed: ['Confirmed', 'bg-green-100 text-green-800 ring-1 ring-green-200'],
  expired: ['Hold expired', 'bg-slate-100 text-slate-600 ring-1 ring-slate-200'],
  no_show: ['Missed', 'bg-slate-100 text-slate-600 ring-1 ring-slate-200'],
};
export const statusLabel = (status) => STATUSES[status]?.[0] ?? status ?? '';
export const statusBadge = (status) => STATUSES[status]?.[1] ?? 'bg-slate-100 text-slate-700';

/** "3 seats left", "1 seat left" or "Full". */
export function seatsText(session) {
  return session.seats_left > 0 ? `${plural(session.seats_left, 'seat')} left` : 'Full';
}

/** When the room opens, and the mentor can start: `early_join_minutes` before the start. */
export function opensAt(session) {
  return new Date(new Date(session.starts_at).getTime() - (session.early_join_minutes ?? 0) * 60_000);
}

/** Whether the mentor can start `session` now (the API refuses earlier). */
export function canStart(session, now = Date.now()) {
  return session.status === 'scheduled' && opensAt(session).getTime() <= now;
}

// The one copy for when a room opens, used by every page that says it.
/** "The room opens at 4:23 pm IST on Mon, 1 Dec (in 2 days)." or "The room is open." */
export function roomOpensText(session, now = Date.now()) {
  if (session.status === 'completed' || session.status === 'cancelled') return `This session is ${session.status}.`;
  const opens = opensAt(session);
  return opens.getTime() <= now ? 'The room is open.' : `The room opens at ${momentText(opens, now)}.`;
}

/** For the mentor: "You can start at 4:23 pm IST on Mon, 1 Dec (in 2 days)." */
export function startText(session, now = Date.now()) {
  return canStart(session, now) ? '' : `You can start at ${momentText(opensAt(session), now)}.`;
}

/** The sentence that states the cancellation policy for `session`. */
export function policyText(policy, session, now = Date.now()) {
  if (!policy) {
    return session.price_paise > 0
      ? 'Cancel before the cut-off ahead of the start for a full refund; after it, your seat can’t be cancelled. Sign in to see the exact time.'
      : 'Cancel before the cut-off ahead of the start to free your seat for someone else. Sign in to see the exact time.';
  }
  const hours = plural(policy.cutoff_hours, 'hour');
  const until = `${whenText(policy.cancellable_until)} (${relativeText(policy.cancellable_until, now)})`;
  const open = new Date(policy.cancellable_until).getTime() > now;
  if (session.price_paise > 0) {
    return open
      ? `Cancel up to ${hours} before the start — until ${until} — for a full refund of ${moneyText(session.price_paise)}. After that, bookings can’t be cancelled or refunded.`
      : `Cancellation closed ${hours} before the start (${whenText(policy.cancellable_until)}), so this booking can no longer be cancelled or refunded.`;
  }
  return open
    ? `Cancel up to ${hours} before the start — until ${until} — so someone else can take your seat.`
    : `Cancellation closed ${hours} before the start (${whenText(policy.cancellable_until)}).`;
}

/** What an answer of POST /join means, in the same words (the API's reason carries a UTC time). */
export function joinAnswerText(answer, now = Date.now()) {
  if (answer.can_join) return 'The room is open — you can join now.';
  if (answer.opens_at && new Date(answer.opens_at).getTime() > now) return `The room opens at ${momentText(new Date(answer.opens_at), now)}.`;
  if (answer.closes_at && new Date(answer.closes_at).getTime() < now) return 'This session has ended.';
  return answer.reason || 'The room isn’t open.';
}
