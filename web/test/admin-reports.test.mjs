// The admin site's overview, reports and assistant arithmetic: India's today, the form's range
// checks (the API's limits), JSON and CSV asking the same query, chart series (money on its own
// axis), the live tiles, and the assistant's streamed text joined in order. Run: `npm test`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addDays,
  csvFilename,
  everyDay,
  figureLines,
  indiaToday,
  keyLabel,
  questionId,
  rangeProblem,
  reportPath,
  reportSeries,
  reportSummary,
  statTiles,
  statsFromToday,
  streamedText,
  valueText,
} from '../admin/js/reports.js';

test("today is India's calendar day, whatever the viewer's zone", () => {
  // 20:00 UTC on 30 Nov is 01:30 on 1 Dec in India
  assert.equal(indiaToday(new Date('2026-11-30T20:00:00Z')), '2026-12-01');
  assert.equal(indiaToday(new Date('2026-11-30T18:00:00Z')), '2026-11-30');
});

test('days move as calendar dates, across months and years', () => {
  assert.equal(addDays('2026-12-01', -1), '2026-11-30');
  assert.equal(addDays('2026-12-31', 1), '2027-01-01');
  assert.equal(addDays('2026-11-30', -29), '2026-11-01');
});

test('the form refuses what the API would, before asking', () => {
  const base = { metrics: ['bookings'], dimension: 'day', from: '2026-11-01', to: '2026-11-30' };
  assert.equal(rangeProblem(base), '');
  assert.equal(rangeProblem({ ...base, metrics: [] }), 'Choose at least one metric.');
  assert.equal(rangeProblem({ ...base, to: '2026-10-01' }), 'The range ends before it starts.');
  assert.equal(rangeProblem({ ...base, from: '' }), 'Choose both dates.');
  assert.match(rangeProblem({ ...base, from: '2025-01-01' }), /at most 400 days/);
  assert.equal(rangeProblem({ ...base, dimension: 'mentor', from: '2026-06-01' }), ''); // months make long ones cheap
  assert.match(rangeProblem({ ...base, dimension: 'mentor', from: '2025-01-01' }), /at most 400 days/);
  assert.equal(rangeProblem({ ...base, dimension: 'month', from: '2026-06-01' }), '');
});

test('the CSV is the same query as the table, as a file', () => {
  const query = { metrics: ['gmv_paise', 'bookings'], dimension: 'week', from: '2026-11-01', to: '2026-11-30' };
  assert.equal(reportPath(query), '/api/admin/reports?metrics=gmv_paise%2Cbookings&dimension=week&from=2026-11-01&to=2026-11-30');
  assert.equal(reportPath(query, { csv: true }), `${reportPath(query)}&format=csv`);
  assert.equal(csvFilename(query), 'peerlearn-week-2026-11-01-2026-11-30.csv');
});

test('row keys read as dates, weeks and months; values as they are', () => {
  assert.equal(keyLabel('day', '2026-11-16'), '16 Nov');
  assert.equal(keyLabel('week', '2026-11-16'), 'Week of 16 Nov');
  assert.equal(keyLabel('month', '2026-11'), 'Nov 2026');
  assert.equal(keyLabel('tag', 'python'), 'python');
});

const report = {
  metrics: ['bookings', 'gmv_paise', 'platform_revenue_paise'],
  dimension: 'day',
  from_date: '2026-11-29',
  to_date: '2026-11-30',
  rows: [
    { key: '2026-11-29', values: { bookings: 2, gmv_paise: 99800, platform_revenue_paise: 9980 } },
    { key: '2026-11-30', values: { bookings: 1, gmv_paise: 49900, platform_revenue_paise: 4990 } },
  ],
  totals: { bookings: 3, gmv_paise: 149700, platform_revenue_paise: 14970 },
};

test('the chart draws money on its axis and leaves the counts to the table', () => {
  const series = reportSeries(report);
  assert.equal(series.money, true);
  assert.deepEqual(series.labels, ['29 Nov', '30 Nov']);
  assert.deepEqual(series.datasets.map((d) => [d.label, d.data]), [
    ['GMV', [99800, 49900]],
    ['Platform revenue', [9980, 4990]],
  ]);
  assert.deepEqual(series.left, ['bookings']);
  const counts = reportSeries({ ...report, metrics: ['bookings'] });
  assert.equal(counts.money, false);
  assert.deepEqual(counts.datasets[0].data, [2, 1]);
});

test("the chart's summary gives the totals in rupees and counts", () => {
  assert.equal(
    reportSummary(report),
    '2 rows by day from 2026-11-29 to 2026-11-30; totals: Bookings 3, GMV ₹1,497, Platform revenue ₹149.70. The table has each row.',
  );
  assert.equal(reportSummary({ ...report, rows: [] }), 'No figures in this range.');
});

test('the live tiles read a stats.update; the REST figures fill them first', () => {
  const tiles = statTiles({ active_users_now: 12, rooms_live: 2, bookings_today: 1234, platform_revenue_today_paise: 4990, gmv_today_paise: 49900, active_users_today: 40 });
  assert.deepEqual(tiles.map((t) => [t.id, t.text]), [
    ['active-now', '12'],
    ['rooms-live', '2'],
    ['bookings-today', '1,234'],
    ['revenue-today', '₹49.90'],
    ['gmv-today', '₹499'],
    ['active-today', '40'],
  ]);
  assert.deepEqual(statsFromToday({ day: '2026-11-30', bookings: 3, active_users: 5, gmv_paise: 100, platform_revenue_paise: 10 }), {
    day: '2026-11-30',
    bookings_today: 3,
    gmv_today_paise: 100,
    platform_revenue_today_paise: 10,
    active_users_today: 5,
  });
});

test("the assistant's streamed text is joined in order, a late or repeated piece counted once", () => {
  const parts = [
    { sequence: 1, text: 'world' },
    { sequence: 0, text: 'Hello, ' },
    { sequence: 1, text: 'world' },
    { sequence: 3, text: '!' }, // 2 has not arrived: stop before the gap
  ];
  assert.equal(streamedText(parts), 'Hello, world');
  assert.equal(streamedText([...parts, { sequence: 2, text: ' again' }]), 'Hello, world again!');
});

test("the tools' figures read as rupees and counts", () => {
  const lines = figureLines([{ name: 'money_between', figures: { platform_revenue_paise: 14970, payments: 3 } }]);
  assert.deepEqual(lines.map((l) => [l.label, l.text]), [
    ['platform revenue', '₹149.70'],
    ['payments', '3'],
  ]);
  assert.equal(valueText('gifts_paise', 10000), '₹100');
});

test('a question id is what the API accepts', () => {
  assert.match(questionId(), /^[A-Za-z0-9_-]{1,40}$/);
});

test('a report by day has every day of its range, quiet ones as zeros', () => {
  const filled = everyDay({ metrics: ['bookings'], rows: [{ key: '2026-11-29', values: { bookings: 2 } }] }, '2026-11-28', '2026-11-30');
  assert.deepEqual(filled.rows.map((r) => [r.key, r.values.bookings]), [
    ['2026-11-28', 0],
    ['2026-11-29', 2],
    ['2026-11-30', 0],
  ]);
});
