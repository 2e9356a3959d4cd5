// How money, times and durations read in the app: rupees from integer paise with Indian digit
// grouping, instants in the viewer's own time zone with the zone's name, and relative hints.

const rupees = new Intl.NumberFormat('en-IN', { style: 'currency', currency: 'INR' });
const wholeRupees = new Intl.NumberFormat('en-IN', {
  style: 'currency',
  currency: 'INR',
  minimumFractionDigits: 0,
  maximumFractionDigits: 0,
});

/** "₹1,00,000", "₹499.50" or "Free" for 0 paise. */
export function moneyText(paise) {
  const amount = Number(paise) || 0;
  if (amount === 0) return 'Free';
  return (amount % 100 === 0 ? wholeRupees : rupees).format(amount / 100);
}

/** "₹2,673", "₹0", "₹499.50": an amount of money (a balance, a refund), where 0 is ₹0, not "Free". */
export function amountText(paise) {
  const amount = Number(paise) || 0;
  return (amount % 100 === 0 ? wholeRupees : rupees).format(amount / 100);
}

/** "₹407.27", "₹499.00": always with paise, for receipts whose lines must add up on the page. */
export function exactText(paise) {
  return rupees.format((Number(paise) || 0) / 100);
}

/** The viewer's IANA time zone (the browser's). */
export function viewerZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

const formats = new Map();
function format(options) {
  const key = JSON.stringify(options);
  if (!formats.has(key)) formats.set(key, new Intl.DateTimeFormat('en-IN', options));
  return formats.get(key);
}

const validDate = (iso) => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
};

/** "Sat, 14 Jun, 6:30 pm IST" in `timeZone` (default: the viewer's); the year only when it isn't this one. */
export function whenText(iso, timeZone) {
  const date = validDate(iso);
  if (!date) return '';
  const otherYear = date.getFullYear() !== new Date().getFullYear();
  return format({
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    ...(otherYear && { year: 'numeric' }),
    hour: 'numeric',
    minute: '2-digit',
    timeZoneName: 'short',
    ...(timeZone && { timeZone }),
  }).format(date);
}

/** "6:30 pm IST" in `timeZone` (default: the viewer's). */
export function timeText(iso, timeZone) {
  const date = validDate(iso);
  if (!date) return '';
  return format({ hour: 'numeric', minute: '2-digit', timeZoneName: 'short', ...(timeZone && { timeZone }) }).format(date);
}

/** "14 Jun 2025" for dates that need no time (reviews, bookings made). */
export function dateText(iso) {
  const date = validDate(iso);
  return date ? format({ day: 'numeric', month: 'short', year: 'numeric' }).format(date) : '';
}

/** Whether two zones read the same at `iso` (Asia/Kolkata and its old name Asia/Calcutta do). */
export function sameClock(zoneA, zoneB, iso = new Date().toISOString()) {
  try {
    return whenText(iso, zoneA) === whenText(iso, zoneB);
  } catch {
    return zoneA === zoneB;
  }
}

/** "India Standard Time" for a zone (default: the viewer's). */
export function zoneLongName(timeZone) {
  try {
    const parts = format({ timeZoneName: 'long', ...(timeZone && { timeZone }) }).formatToParts(new Date());
    return parts.find((part) => part.type === 'timeZoneName')?.value ?? timeZone ?? viewerZone();
  } catch {
    return timeZone ?? '';
  }
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const UNITS = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** "in 3 days", "2 hours ago", "in 5 minutes", "now". */
export function relativeText(iso, now = Date.now()) {
  const date = validDate(iso);
  if (!date) return '';
  const seconds = (date.getTime() - now) / 1000;
  if (Math.abs(seconds) < 45) return 'now';
  for (const [unit, size] of UNITS) {
    // Days are whole from 22 hours on, weeks from 2 weeks, months from 2 months: what people say.
    const threshold = unit === 'day' ? 22 * 3600 : unit === 'week' ? 14 * 24 * 3600 : unit === 'month' ? 60 * 24 * 3600 : size;
    if (Math.abs(seconds) >= threshold) return relative.format(Math.round(seconds / size), unit);
  }
  return relative.format(Math.round(seconds / 60) || Math.sign(seconds), 'minute');
}

/** "45 min", "1 hr", "1 hr 30 min", "2 hrs". */
export function durationText(minutes) {
  const total = Number(minutes) || 0;
  const hours = Math.floor(total / 60);
  const rest = total % 60;
  if (hours === 0) return `${rest} min`;
  const hourText = `${hours} hr${hours === 1 ? '' : 's'}`;
  return rest ? `${hourText} ${rest} min` : hourText;
}

/** "4.8" for an average rating, '' when there is none yet. */
export function ratingText(average) {
  return average == null ? '' : (Math.round(average * 10) / 10).toFixed(1);
}

/** "1 seat", "3 seats". */
export function plural(count, one, many = `${one}s`) {
  return `${count} ${count === 1 ? one : many}`;
}

/** `{ day: "14", month: "Jun" }` for a calendar tile. */
export function dayParts(iso) {
  const date = validDate(iso);
  if (!date) return { day: '', month: '' };
  return { day: format({ day: 'numeric' }).format(date), month: format({ month: 'short' }).format(date) };
}

/** How much of star `n` (1-5) is filled for `rating`, in percent, to the nearest half star. */
export function starFill(rating, n) {
  return Math.max(0, Math.min(1, Math.round((Number(rating) || 0) * 2) / 2 - n + 1)) * 100;
}

/**
 * Paise from what a person typed as rupees ("499", "499.5", "1,499.50"), exactly (no float
 * rounding); null for anything else, including more than two decimals: there is no third place.
 */
export function paiseFromRupees(text) {
  const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(String(text ?? '').trim().replaceAll(',', ''));
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

/** "499.5" for 49950 paise: rupees for a URL or an input, without trailing zeros. */
export function rupeesFromPaise(paise) {
  return String(Number(paise) / 100);
}

/** "4:23 pm IST (in 3 hours)" today, "4:23 pm IST on Mon, 1 Dec (in 2 days)" on another day: the
 * viewer's own time, with the day when it isn't today. */
export function momentText(date, now = Date.now()) {
  const iso = date.toISOString();
  const sameDay = dateText(iso) === dateText(new Date(now).toISOString());
  const day = sameDay ? '' : ` on ${whenText(iso).replace(/,?\s*\d{1,2}:\d{2}.*$/, '')}`;
  return `${timeText(iso)}${day} (${relativeText(iso, now)})`;
}

/** "Try again at 4:32 pm IST (in 7 minutes)": when a rate limit lifts, in the viewer's time. */
export function tryAgainText(retryAt, now = Date.now()) {
  return `Try again at ${momentText(retryAt, now)}`;
}
