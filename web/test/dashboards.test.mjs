// The dashboards' page arithmetic: month and week labels read as dates (not shifted by the viewer's
// zone), time learned in hours, the Join button opening with the room, chart series and the
// screen-reader summaries that stand in for the charts. Run: `npm test`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  anyEarnings,
  anySpending,
  distributionRows,
  distributionSummary,
  hoursText,
  joinState,
  monthLabel,
  percentText,
  spendingSeries,
  spendingSummary,
  topicSeries,
  trendSummary,
  weekLabel,
} from '../src/js/dashboards.js';

test('months and weeks are labelled as the calendar dates the API sends', () => {
  assert.equal(monthLabel('2026-11'), 'Nov 26');
  assert.equal(monthLabel('2026-01'), 'Jan 26');
  assert.equal(weekLabel('2026-11-16'), '16 Nov');
});

test('time learned reads in minutes below an hour and in hours from one', () => {
  assert.equal(hoursText(0), '0 min');
  assert.equal(hoursText(45), '45 min');
  assert.equal(hoursText(60), '1 h');
  assert.equal(hoursText(150), '2.5 h');
});

test('a percentage with nothing to count is a dash, not 0%', () => {
  assert.equal(percentText(null), '—');
  assert.equal(percentText(0), '0%');
  assert.equal(percentText(83), '83%');
});

test('Join opens when the room does, at once for a live session, and never for a seat still being paid', () => {
  const seat = { status: 'confirmed', session_status: 'scheduled', room_opens_at: '2026-11-24T10:00:00Z' };
  const at = (iso) => new Date(iso).getTime();
  assert.equal(joinState(seat, at('2026-11-24T09:59:59Z')).open, false);
  assert.equal(joinState(seat, at('2026-11-24T10:00:00Z')).open, true);
  assert.equal(joinState({ ...seat, session_status: 'live' }, at('2026-11-24T09:00:00Z')).open, true);
  const held = joinState({ ...seat, status: 'held' }, at('2026-11-24T11:00:00Z'));
  assert.deepEqual([held.open, held.held, held.label], [false, true, 'Finish paying']);
  // A mentor's session: its own status says live.
  assert.equal(joinState({ status: 'live', room_opens_at: '2026-11-24T10:00:00Z' }, at('2026-11-24T08:00:00Z')).open, true);
});

test('spending by month becomes two series, sessions and gifts, in paise', () => {
  const rows = [
    { month: '2026-10', sessions_paise: 50000, gifts_paise: 0, total_paise: 50000 },
    { month: '2026-11', sessions_paise: 50000, gifts_paise: 10000, total_paise: 60000 },
  ];
  const series = spendingSeries(rows);
  assert.deepEqual(series.labels, ['Oct 26', 'Nov 26']);
  assert.deepEqual(series.datasets.map((d) => [d.label, d.paise]), [['Sessions', [50000, 50000]], ['Gifts', [0, 10000]]]);
  assert.equal(anySpending(rows), true);
  assert.equal(anySpending(rows.map((r) => ({ ...r, total_paise: 0 }))), false);
  assert.match(spendingSummary(rows, { sessions_paise: 100000, gifts_paise: 10000 }), /₹1,000 on sessions and ₹100 on gifts/);
  assert.equal(spendingSummary([], {}), 'No spending in the last 12 months.');
});

test('topics chart shows the top topics in hours with one decimal', () => {
  const rows = [{ tag: 'Python', minutes: 150 }, { tag: 'SQL', minutes: 50 }, { tag: 'Go', minutes: 10 }];
  assert.deepEqual(topicSeries(rows, 2), { labels: ['Python', 'SQL'], hours: [2.5, 0.8] });
});

test('the ratings distribution lists 5 stars down to 1, missing ones as zero', () => {
  const rows = distributionRows({ rating_distribution: { 5: 2, 3: 1 } });
  assert.deepEqual(rows.map((r) => [r.label, r.count]), [['5 stars', 2], ['4 stars', 0], ['3 stars', 1], ['2 stars', 0], ['1 star', 0]]);
  assert.match(distributionSummary({ rating_distribution: { 5: 2 } }), /2 of 5, 0 of 4/);
  assert.equal(distributionRows(undefined).length, 5);
});

test('the rating trend summary names the latest month; earnings with only zeros draw no chart', () => {
  assert.match(trendSummary([{ month: '2026-11', average: 4.5, count: 2 }]), /4.5 in Nov 26 from 2 reviews/);
  assert.equal(trendSummary([]), 'No reviews in the last 12 months.');
  assert.equal(anyEarnings([{ earned_paise: 0 }, { earned_paise: 0 }]), false);
  assert.equal(anyEarnings([{ earned_paise: 0 }, { earned_paise: -500 }]), true);
});
