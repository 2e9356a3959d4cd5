// The admin overview's, reports' and assistant's arithmetic, kept out of the components so `npm test`
// checks it without a browser: metrics and their labels, report addresses (JSON and CSV are the same
// query), chart series, the live tiles, and the assistant's streamed text put back in order.
// Days are India's calendar days (the rollups' days), sent and received as "YYYY-MM-DD".
import { amountText } from '../../src/js/format.js';

/** Every metric a report can show (the API's METRICS), with its label; `money` ones are paise. */
export const METRICS = [
  { name: 'bookings', label: 'Bookings' },
  { name: 'cancellations', label: 'Cancellations' },
  { name: 'no_shows', label: 'No-shows' },
  { name: 'completed_minutes', label: 'Minutes taught' },
  { name: 'gmv_paise', label: 'GMV', money: true },
  { name: 'platform_revenue_paise', label: 'Platform revenue', money: true },
  { name: 'refunds_paise', label: 'Refunds', money: true },
  { name: 'gifts_paise', label: 'Gifts', money: true },
  { name: 'signups', label: 'Sign-ups' },
  { name: 'active_users', label: 'Active users' },
  { name: 'searches', label: 'Searches' },
  { name: 'zero_result_searches', label: 'Searches with no result' },
  { name: 'funnel_views', label: 'Funnel: views' },
  { name: 'funnel_bookings', label: 'Funnel: bookings' },
  { name: 'funnel_payments', label: 'Funnel: payments' },
  { name: 'funnel_attended', label: 'Funnel: attended' },
];

export const DIMENSIONS = [
  { value: 'day', label: 'Day' },
  { value: 'week', label: 'Week' },
  { value: 'month', label: 'Month' },
  { value: 'tag', label: 'Topic' },
  { value: 'mentor', label: 'Mentor' },
  { value: 'language', label: 'Language' },
];

export const MAX_DAYS = 400; // the API's limits, so the form says so before asking

const byName = new Map(METRICS.map((m) => [m.name, m]));

export const metricLabel = (name) => byName.get(name)?.label ?? name;
export const isMoney = (name) => Boolean(byName.get(name)?.money);

/** A metric's value as people read it: rupees for paise, a grouped number otherwise. */
export function valueText(name, value) {
  return isMoney(name) ? amountText(value) : new Intl.NumberFormat('en-IN').format(Number(value) || 0);
}

/** Today in India as "YYYY-MM-DD" (the rollups' day), whatever the viewer's own zone. */
export function indiaToday(now = new Date()) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Kolkata' }).format(now);
}

/** `day` moved by `days` (a calendar date: computed in UTC, never shifted by a zone). */
export function addDays(day, days) {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

export function daysBetween(from, to) {
  return Math.round((new Date(`${to}T00:00:00Z`) - new Date(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

/** The form's problem before it asks the API (the API says the same, naming the field), or ''. */
export function rangeProblem({ metrics, dimension, from, to }) {
  if (!metrics.length) return 'Choose at least one metric.';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to)) return 'Choose both dates.';
  if (to < from) return 'The range ends before it starts.';
  const days = daysBetween(from, to);
  if (days > MAX_DAYS) return `A report covers at most ${MAX_DAYS} days.`;
  return '';
}

/** The report's address; `csv` asks for the same query as a file. */
export function reportPath({ metrics, dimension, from, to }, { csv = false } = {}) {
  const search = new URLSearchParams({ metrics: metrics.join(','), dimension, from, to });
  if (csv) search.set('format', 'csv');
  return `/api/admin/reports?${search}`;
}

export const csvFilename = ({ dimension, from, to }) => `peerlearn-${dimension}-${from}-${to}.csv`;

const dayFormat = new Intl.DateTimeFormat('en-IN', { day: 'numeric', month: 'short', timeZone: 'UTC' });
const monthFormat = new Intl.DateTimeFormat('en-IN', { month: 'short', year: 'numeric', timeZone: 'UTC' });

/** A row's key as a label: "16 Nov" for a day, "Week of 16 Nov", "Nov 2026"; values as they are. */
export function keyLabel(dimension, key, names = {}) {
  if (dimension === 'day') return dayFormat.format(new Date(`${key}T00:00:00Z`));
  if (dimension === 'week') return `Week of ${dayFormat.format(new Date(`${key}T00:00:00Z`))}`;
  if (dimension === 'month') return monthFormat.format(new Date(`${key}-01T00:00:00Z`));
  return names[key] ?? key;
}

const COLORS = ['#4f46e5', '#0d9488', '#f59e0b', '#e11d48', '#0284c7', '#65a30d', '#9333ea', '#64748b'];

/**
 * What the chart draws: the money metrics (rupees on one axis) when any is chosen, else the counts;
 * `left` names the metrics only the table shows (one axis can't hold rupees and counts).
 */
export function reportSeries(report, names = {}) {
  const money = report.metrics.filter(isMoney);
  const drawn = money.length ? money : report.metrics;
  return {
    money: money.length > 0,
    labels: report.rows.map((row) => keyLabel(report.dimension, row.key, names)),
    datasets: drawn.map((name, i) => ({
      label: metricLabel(name),
      data: report.rows.map((row) => row.values[name] ?? 0),
      color: COLORS[i % COLORS.length],
    })),
    left: report.metrics.filter((name) => !drawn.includes(name)),
  };
}

/** The screen reader's sentence for the chart (the table beside it has every number). */
export function reportSummary(report) {
  if (!report.rows.length) return 'No figures in this range.';
  const totals = report.metrics.map((name) => `${metricLabel(name)} ${valueText(name, report.totals[name])}`);
  return `${report.rows.length} rows by ${report.dimension} from ${report.from_date} to ${report.to_date}; totals: ${totals.join(', ')}. The table has each row.`;
}

/** The overview's live tiles, from a `stats.update` message (or today's figures from the REST API). */
export function statTiles(stats) {
  return [
    { id: 'active-now', label: 'People online now', text: valueText('', stats.active_users_now ?? 0) },
    { id: 'rooms-live', label: 'Rooms live', text: valueText('', stats.rooms_live ?? 0) },
    { id: 'bookings-today', label: 'Bookings today', text: valueText('', stats.bookings_today ?? 0) },
    { id: 'revenue-today', label: 'Platform revenue today', text: amountText(stats.platform_revenue_today_paise ?? 0) },
    { id: 'gmv-today', label: 'GMV today', text: amountText(stats.gmv_today_paise ?? 0) },
    { id: 'active-today', label: 'Active people today', text: valueText('', stats.active_users_today ?? 0) },
  ];
}

/** `GET /api/admin/stats/today` in the live message's names (the tiles before the socket answers). */
export function statsFromToday(today) {
  return {
    day: today.day,
    bookings_today: today.bookings,
    gmv_today_paise: today.gmv_paise,
    platform_revenue_today_paise: today.platform_revenue_paise,
    active_users_today: today.active_users,
  };
}

/**
 * The assistant's answer as it streams: `assistant.delta` messages carry a `sequence`; they are
 * joined in order even if one arrives late, and a repeated one counts once.
 */
export function streamedText(parts) {
  const seen = new Map();
  for (const part of parts) if (!seen.has(part.sequence)) seen.set(part.sequence, part.text ?? '');
  let text = '';
  for (let i = 0; seen.has(i); i += 1) text += seen.get(i);
  return text;
}

/** The figures the assistant's tools returned, as label + value lines (paise read as rupees). */
export function figureLines(toolsUsed) {
  const lines = [];
  for (const tool of toolsUsed ?? []) {
    for (const [name, value] of Object.entries(tool.figures ?? {})) {
      const money = name.endsWith('_paise');
      const label = name.replace(/_paise$/, '').replaceAll('_', ' ');
      lines.push({ key: `${tool.name}.${name}`, tool: tool.name, label, text: money ? amountText(value) : valueText('', value) });
    }
  }
  return lines;
}

/** A fresh id for one question (the streamed messages carry it; the API accepts [A-Za-z0-9_-]{1,40}). */
export function questionId(random = Math.random) {
  return `q${Date.now().toString(36)}${Math.floor(random() * 1e8).toString(36)}`.slice(0, 40);
}

/**
 * A report by day with every day of the range in it (the rollups have no item for a quiet day):
 * rows in date order, zeros where nothing happened.
 */
export function everyDay(report, from, to) {
  const byDay = new Map(report.rows.map((row) => [row.key, row.values]));
  const rows = [];
  for (let day = from; day <= to; day = addDays(day, 1)) {
    rows.push({ key: day, values: Object.fromEntries(report.metrics.map((m) => [m, byDay.get(day)?.[m] ?? 0])) });
  }
  return { ...report, rows };
}
