// The money page's arithmetic, kept out of the component so `npm test` checks it without a browser:
// India's calendar days for the revenue ranges (the rollups count India's days), the revenue report
// as table rows, chart series and the sentence that stands in for the chart, what a search box's text
// asks for, and the reconciliation's status line.
import { monthLabel, weekLabel } from '../../src/js/dashboards.js';
import { amountText, whenText } from '../../src/js/format.js';

export const REVENUE_METRICS = [
  { key: 'gmv_paise', label: 'GMV', color: '#4f46e5' },
  { key: 'platform_revenue_paise', label: 'Platform revenue', color: '#059669' },
  { key: 'refunds_paise', label: 'Refunds', color: '#e11d48' },
  { key: 'gifts_paise', label: 'Gifts', color: '#f59e0b' },
];

export const REVENUE_VIEWS = [
  { value: 'day', label: 'By day' },
  { value: 'week', label: 'By week' },
  { value: 'month', label: 'By month' },
  { value: 'tag', label: 'By tag' },
  { value: 'mentor', label: 'By mentor' },
];

// The reports API's bound (peerlearn.analytics.reports.MAX_DAYS). Any narrower bound of a view (by tag
// or mentor a quarter, until monthly rollups of those are merged) is the API's to state: its 400 shows.
export const MAX_DAYS = 400;
// What each view shows unless the admin picks dates.
const DEFAULT_DAYS = { day: 30, week: 84, month: 365, tag: 30, mentor: 30 };

const indiaDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Kolkata', year: 'numeric', month: '2-digit', day: '2-digit' });

/** Today's date in India, "YYYY-MM-DD" (the rollups' calendar). */
export const indiaToday = (now = new Date()) => indiaDay.format(now);

/** "YYYY-MM-DD" moved by `days` (calendar arithmetic in UTC, so no zone shifts it). */
export function addDays(day, days) {
  const moment = new Date(`${day}T00:00:00Z`);
  moment.setUTCDate(moment.getUTCDate() + days);
  return moment.toISOString().slice(0, 10);
}

/** Days from `from` to `to`, both counted. */
export const daysBetween = (from, to) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;

/** The default range of a view, ending today in India. */
export function defaultRange(view, now = new Date()) {
  const to = indiaToday(now);
  return { from: addDays(to, -(DEFAULT_DAYS[view] - 1)), to };
}

/** What is wrong with a chosen range, or '' (the API would say the same with a 400). */
export function rangeError(from, to) {
  const valid = (day) => /^\d{4}-\d{2}-\d{2}$/.test(day ?? '') && !Number.isNaN(Date.parse(`${day}T00:00:00Z`));
  if (!valid(from) || !valid(to)) return 'Choose both dates.';
  if (to < from) return 'The range ends before it starts.';
  if (daysBetween(from, to) > MAX_DAYS) return `A report covers at most ${MAX_DAYS} days.`;
  return '';
}

const dayFormat = new Intl.DateTimeFormat('en-IN', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

/** A row's label: "29 Nov 2026", "Week of 16 Nov", "Nov 26", a tag, or a mentor's name (the id if gone). */
export function rowLabel(report, key) {
  switch (report.dimension) {
    case 'day':
      return dayFormat.format(new Date(`${key}T00:00:00Z`));
    case 'week':
      return `Week of ${weekLabel(key)}`;
    case 'month':
      return monthLabel(key);
    case 'mentor':
      return report.labels?.[key] || `Former mentor (${key.slice(-6)})`;
    default:
      return key;
  }
}

/**
 * The report's rows for the table: time in order; tags and mentors by GMV, largest first. Each with
 * its label and the four figures.
 */
export function revenueRows(report) {
  const rows = (report?.rows ?? []).map((row) => ({
    key: row.key,
    label: rowLabel(report, row.key),
    ...Object.fromEntries(REVENUE_METRICS.map((m) => [m.key, Number(row.values[m.key]) || 0])),
  }));
  if (report && !['day', 'week', 'month'].includes(report.dimension)) {
    rows.sort((a, b) => b.gmv_paise - a.gmv_paise || a.label.localeCompare(b.label));
  }
  return rows;
}

/** Chart series (paise) of the rows; tags and mentors capped at `shown` bars (the table has them all). */
export function revenueSeries(rows, shown = 12) {
  const top = rows.slice(0, shown);
  return {
    labels: top.map((r) => r.label),
    datasets: REVENUE_METRICS.map((m) => ({ label: m.label, data: top.map((r) => r[m.key]), color: m.color })),
  };
}

/** The totals of the whole range (from the platform's own rollup: tags can overlap, totals never do). */
export function revenueTotals(report) {
  return Object.fromEntries(REVENUE_METRICS.map((m) => [m.key, Number(report?.totals?.[m.key]) || 0]));
}

/** The sentence a screen reader hears for the chart; the table beside it has each row. */
export function revenueSummary(report, rows) {
  if (!rows.length) return 'No money moved in this range.';
  const t = revenueTotals(report);
  const view = REVENUE_VIEWS.find((v) => v.value === report.dimension)?.label.toLowerCase() ?? '';
  return (
    `Revenue ${view} from ${report.from_date} to ${report.to_date}: GMV ${amountText(t.gmv_paise)}, ` +
    `platform revenue ${amountText(t.platform_revenue_paise)}, refunds ${amountText(t.refunds_paise)}, ` +
    `gifts ${amountText(t.gifts_paise)}. The table has each of ${rows.length} rows.`
  );
}

/**
 * What the payments search box asks for: a payment ("pay_..."), one learner's payments (an email or
 * a user id), or everything (empty).
 */
export function paymentSearch(text) {
  const query = (text ?? '').trim();
  if (!query) return {};
  if (/^pay_[A-Za-z0-9]+$/.test(query)) return { paymentId: query };
  return { learner: query };
}

/** The last reconciliation's status line. */
export function booksText(books) {
  if (!books) return '';
  if (!books.ran_at) return "The books haven't been checked yet: the check runs every night.";
  const when = whenText(books.ran_at);
  if (books.ok) return `The books balance (checked ${when}: ${books.checked.join(', ')}).`;
  const count = books.breaks.length;
  return `${count} difference${count === 1 ? '' : 's'} found when the books were checked ${when}:`;
}
