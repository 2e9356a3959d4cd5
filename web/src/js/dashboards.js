// The dashboards' arithmetic for the page: labels, chart series and the Join button's state, kept
// out of the components so `npm test` checks them without a browser. The API sends months as
// "YYYY-MM" and weeks as their Monday, both in India's calendar: they are dates, read in UTC.
import { amountText, plural } from './format.js';

const monthFormat = new Intl.DateTimeFormat('en-IN', { month: 'short', year: '2-digit', timeZone: 'UTC' });
const weekFormat = new Intl.DateTimeFormat('en-IN', { day: 'numeric', month: 'short', timeZone: 'UTC' });

/** "Nov 26" for "2026-11". */
export const monthLabel = (month) => monthFormat.format(new Date(`${month}-01T00:00:00Z`));

/** "16 Nov" for the week of Monday "2026-11-16". */
export const weekLabel = (day) => weekFormat.format(new Date(`${day}T00:00:00Z`));

/** "2.5 h", "45 min", "0 min": time learned, in the unit people count it in. */
export function hoursText(minutes) {
  const total = Number(minutes) || 0;
  if (total < 60) return `${total} min`;
  const hours = Math.round((total / 60) * 10) / 10;
  return `${hours} h`;
}

/** "83%", or "—" when there was nothing to count. */
export const percentText = (value) => (value == null ? '—' : `${value}%`);

/**
 * Whether an upcoming seat's Join opens now: the room lets people in from `room_opens_at` (the API
 * computes it as the join route does), a held seat must be paid first.
 */
export function joinState(item, now = Date.now()) {
  if (item.status === 'held') return { open: false, label: 'Finish paying', held: true };
  const opens = new Date(item.room_opens_at).getTime();
  const live = item.session_status === 'live' || item.status === 'live';
  if (live || opens <= now) return { open: true, label: 'Join', held: false };
  return { open: false, label: 'Join', held: false };
}

/** Spending by month as two stacked series, sessions and gifts, in paise. */
export function spendingSeries(rows) {
  return {
    labels: rows.map((r) => monthLabel(r.month)),
    datasets: [
      { label: 'Sessions', paise: rows.map((r) => r.sessions_paise), color: '#4f46e5' },
      { label: 'Gifts', paise: rows.map((r) => r.gifts_paise), color: '#f59e0b' },
    ],
  };
}

/** The topics learned most, at most `shown`, as hours (one decimal) for a horizontal bar chart. */
export function topicSeries(rows, shown = 8) {
  const top = rows.slice(0, shown);
  return { labels: top.map((r) => r.tag), hours: top.map((r) => Math.round((r.minutes / 60) * 10) / 10) };
}

/** Ratings 5 to 1 with how many of each, from the summary's `rating_distribution`. */
export function distributionRows(summary) {
  const counts = summary?.rating_distribution ?? {};
  return [5, 4, 3, 2, 1].map((stars) => ({ stars, label: plural(stars, 'star'), count: Number(counts[String(stars)]) || 0 }));
}

export const anySpending = (rows) => rows.some((r) => r.total_paise > 0);
export const anyEarnings = (weeks) => weeks.some((w) => w.earned_paise !== 0);

/** The screen reader's sentence for a chart whose numbers the table beside it lists. */
export function spendingSummary(rows, totals) {
  if (!anySpending(rows)) return 'No spending in the last 12 months.';
  return `Spending by month for the last ${rows.length} months: ${amountText(totals.sessions_paise)} on sessions and ${amountText(totals.gifts_paise)} on gifts. The table has each month.`;
}

export function topicSummary(rows) {
  if (!rows.length) return 'No sessions attended yet.';
  return `Hours learned by topic; most in ${rows[0].tag} (${hoursText(rows[0].minutes)}). The table has each topic.`;
}

export function earningsSummary(weeks) {
  const total = weeks.reduce((sum, w) => sum + w.earned_paise, 0);
  return `Earnings by week for the last ${weeks.length} weeks, ${amountText(total)} in all. The table has each week.`;
}

export function distributionSummary(summary) {
  const rows = distributionRows(summary);
  return `Ratings received: ${rows.map((r) => `${r.count} of ${r.stars}`).join(', ')}. The table has each.`;
}

export function trendSummary(months) {
  if (!months.length) return 'No reviews in the last 12 months.';
  const last = months[months.length - 1];
  return `Average rating by month; ${last.average} in ${monthLabel(last.month)} from ${plural(last.count, 'review')}. The table has each month.`;
}
