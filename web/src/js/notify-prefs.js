// The notification settings form's pure helpers (no Alpine, no fetch), tested by test/notify-prefs.test.mjs.

export const CHANNELS = [
  { key: 'in_app', label: 'In the app' },
  { key: 'email', label: 'Email' },
  { key: 'push', label: 'Push' },
];
export const copy = (value) => JSON.parse(JSON.stringify(value));
const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** What the form changed against what was saved: the PUT body, or null when nothing changed. */
export function changesOf(categories, savedCategories, quiet, savedQuiet) {
  const channels = {};
  for (const category of categories) {
    const before = savedCategories.find((c) => c.name === category.name);
    for (const { key } of CHANNELS) {
      if (before && before.channels[key] !== category.channels[key]) {
        channels[category.name] = { ...(channels[category.name] || {}), [key]: category.channels[key] };
      }
    }
  }
  const body = {};
  if (Object.keys(channels).length) body.channels = channels;
  if (quiet.enabled !== savedQuiet.enabled || quiet.start !== savedQuiet.start || quiet.end !== savedQuiet.end) {
    body.quiet_hours = { enabled: quiet.enabled, start: quiet.start, end: quiet.end };
  }
  return Object.keys(body).length ? body : null;
}

/** Problems with the quiet hours the person typed, by field; empty when they can be saved. */
export function quietProblems(quiet) {
  const problems = {};
  if (!HH_MM.test(quiet.start || '')) problems.start = 'Enter a start time, like 22:00.';
  if (!HH_MM.test(quiet.end || '')) problems.end = 'Enter an end time, like 07:00.';
  if (!problems.start && !problems.end && quiet.start === quiet.end) {
    problems.end = 'Quiet hours must end at a different time than they start.';
  }
  return problems;
}
