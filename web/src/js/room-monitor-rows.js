// The room monitor's pure helpers (room-monitor.js): words and rows for who is in a live room, kept
// apart so `npm test` checks them without a browser.

export const MONITOR_POLL_MS = 5000;

/** "12 min", "1 h 5 min", "40 s": how long someone has been in the room. */
export function stayText(seconds) {
  const total = Math.max(0, Math.round(Number(seconds) || 0));
  if (total < 60) return `${total} s`;
  const minutes = Math.floor(total / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${hours} h ${rest} min` : `${hours} h`;
}

/** Where someone is now, in words: "In the room", "Waiting", "Dropped", "Left", "Removed". */
export function whereText(person) {
  if (person.status === 'removed') return 'Removed';
  if (person.status === 'left') return 'Left';
  if (person.status === 'waiting') return person.connected ? 'Waiting' : 'Was waiting';
  return person.connected ? 'In the room' : 'Dropped';
}

/** The role as the list shows it (an admin watching is named so, never hidden). */
export function roleText(person) {
  return { mentor: 'Mentor', learner: 'Learner', observer: 'Observer (admin)' }[person.room_role] ?? person.room_role;
}

/** "3 in the room, 1 waiting, 1 left": the summary read to screen readers when it changes. */
export function monitorSummary(people) {
  const count = (where) => people.filter((p) => whereText(p) === where).length;
  const parts = [`${count('In the room')} in the room`];
  if (count('Waiting')) parts.push(`${count('Waiting')} waiting`);
  if (count('Dropped')) parts.push(`${count('Dropped')} dropped`);
  const gone = count('Left') + count('Removed');
  if (gone) parts.push(`${gone} left`);
  return parts.join(', ');
}

/**
 * Rows for the table: seconds in the room counted on from the server's answer for people still in
 * it, so the figure moves between polls (`now` and `fetchedAt` in ms).
 */
export function monitorRows(data, now = Date.now(), fetchedAt = now) {
  const drift = Math.max(0, Math.floor((now - fetchedAt) / 1000));
  return (data?.participants ?? []).map((p) => {
    const inRoom = p.connected && p.status === 'admitted' && !p.left_at && p.joined_at;
    return {
      ...p,
      where: whereText(p),
      role: roleText(p),
      seconds: p.seconds_in_room + (inRoom ? drift : 0),
    };
  });
}
