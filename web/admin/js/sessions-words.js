// The admin sessions page's words (pages/sessions.js), kept apart from Alpine so `npm test` checks
// them without a browser.

export const STATES = [
  { value: 'live', label: 'Live now' },
  { value: 'upcoming', label: 'Upcoming' },
  { value: 'ended', label: 'Ended' },
  { value: 'flagged', label: 'Flagged' },
];

export const NOTE_MIN = 3;
export const NOTE_MAX = 500;

/** Why a session is on the flagged list, as an admin reads it. */
export const FLAG_WORDS = {
  mentor_no_show: 'The mentor didn’t come (cancelled, seats refunded)',
  learner_removed: 'The mentor removed a learner from the room',
  low_rating: 'A learner rated it 1 or 2 stars',
};

/** The list asked for by the query string; live when it names none (or nonsense). */
export const stateFrom = (query) => (STATES.some((s) => s.value === query?.state) ? query.state : 'live');

/** "3 in the room · 1 waiting · 1 watching" for a live row. */
export function liveCounts(item) {
  const parts = [`${item.participants_now ?? 0} in the room`];
  if (item.waiting_now) parts.push(`${item.waiting_now} waiting`);
  if (item.observers_now) parts.push(`${item.observers_now} watching`);
  return parts.join(' · ');
}

/** "running 12 min", "ran 1 h 5 min": a live session's time so far, an ended one's length. */
export function runningText(item) {
  const seconds = item.duration_seconds;
  if (seconds == null) return '';
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const text = hours ? `${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ''}` : `${minutes} min`;
  return item.status === 'live' ? `running ${text}` : `ran ${text}`;
}
