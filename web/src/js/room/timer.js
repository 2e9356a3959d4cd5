// The room's countdown is the server's: `ends_at` (booked end + extension) read against the
// server's clock (`offsetMs` = server - local, measured on welcome/timer/pong), so a browser whose
// clock is wrong still shows the right time left. Warnings at 5 and 1 minute, then overtime.

export const WARN_AT_SECONDS = [300, 60];
export const MAX_EXTENSION_MINUTES = 15;

/** Seconds left until `endsAt` (negative in overtime). */
export function secondsLeft(endsAt, offsetMs, now = Date.now()) {
  if (!endsAt) return null;
  return Math.ceil((new Date(endsAt).getTime() - (now + offsetMs)) / 1000);
}

/** "12:05", "1:02:05", or "+3:07" in overtime. */
export function countdownText(seconds) {
  if (seconds == null) return '';
  const over = seconds < 0;
  const total = Math.abs(over ? Math.floor(seconds) : seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  const body = h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
  return over ? `+${body}` : body;
}

/** The warning due at `seconds` left that hasn't been given yet (300 or 60), or null. */
export function dueWarning(seconds, given) {
  if (seconds == null || seconds <= 0) return null;
  const due = WARN_AT_SECONDS.filter((at) => seconds <= at && !given.has(at));
  if (!due.length) return null;
  // Passing both at once (joined late): only the nearer one is worth saying.
  const nearest = Math.min(...due);
  WARN_AT_SECONDS.filter((at) => at >= nearest).forEach((at) => given.add(at));
  return nearest;
}

export function warningText(at) {
  return at >= 60 && at % 60 === 0 ? `${at / 60} minute${at === 60 ? '' : 's'} left in this session.` : '';
}

/** The extensions the mentor may still add (+5/+10/+15 within 15 minutes in total). */
export function extensionChoices(extendedMinutes) {
  return [5, 10, 15].filter((minutes) => (extendedMinutes || 0) + minutes <= MAX_EXTENSION_MINUTES);
}
