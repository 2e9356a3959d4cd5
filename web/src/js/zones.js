// Time zones for forms: the list to choose from, and wall-clock time in a zone <-> UTC instants,
// so a mentor can enter "18:30 in Asia/Kolkata" and see what that is in their own time.

export const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'Asia/Kolkata';

/** Every zone the browser knows, sorted, always including `current`. */
export function timeZones(current) {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set([current, ...zones])].filter(Boolean).sort();
}

const partFormats = new Map();
function wallClock(timeZone, ms) {
  if (!partFormats.has(timeZone)) {
    partFormats.set(
      timeZone,
      new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      }),
    );
  }
  const parts = Object.fromEntries(partFormats.get(timeZone).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** Milliseconds `timeZone`'s wall clock is ahead of UTC at the instant `ms`. */
function offsetMs(timeZone, ms) {
  const w = wallClock(timeZone, ms);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(ms / 1000) * 1000;
}

/** The instant that reads `date` ("2025-06-14") `time` ("18:30") in `timeZone`, or null. */
export function zonedToUtc(date, time, timeZone) {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date ?? '');
  const t = /^(\d{2}):(\d{2})/.exec(time ?? '');
  if (!d || !t || !timeZone) return null;
  try {
    const wall = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]), Number(t[1]), Number(t[2]));
    // Twice, so an offset that changes between the guess and the answer (DST) is still right.
    let utc = wall - offsetMs(timeZone, wall);
    utc = wall - offsetMs(timeZone, utc);
    return new Date(utc);
  } catch {
    return null;
  }
}

const pad = (n) => String(n).padStart(2, '0');

/** `{ date: "2025-06-14", time: "18:30" }`: how the instant `iso` reads in `timeZone`. */
export function utcToZoned(iso, timeZone) {
  const w = wallClock(timeZone, new Date(iso).getTime());
  return { date: `${w.year}-${pad(w.month)}-${pad(w.day)}`, time: `${pad(w.hour)}:${pad(w.minute)}` };
}
