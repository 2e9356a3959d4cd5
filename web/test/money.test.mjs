// The admin money page's arithmetic: India's day for the default ranges, range checks matching the
// reports API's bounds, report rows labelled and ordered, chart series, the chart's text alternative,
// the search box's meaning and the reconciliation line. Run: `npm test`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addDays,
  booksText,
  daysBetween,
  defaultRange,
  indiaToday,
  paymentSearch,
  rangeError,
  revenueRows,
  revenueSeries,
  revenueSummary,
  revenueTotals,
} from '../admin/js/money.js';

test("today is India's date, not the viewer's or UTC's", () => {
  // 20:00 UTC on 29 Nov is 01:30 on 30 Nov in India
  assert.equal(indiaToday(new Date('2026-11-29T20:00:00Z')), '2026-11-30');
  assert.equal(indiaToday(new Date('2026-11-29T18:00:00Z')), '2026-11-29');
});

test('day arithmetic crosses months and years and counts both ends', () => {
  assert.equal(addDays('2026-12-31', 1), '2027-01-01');
  assert.equal(addDays('2026-03-01', -1), '2026-02-28');
  assert.equal(daysBetween('2026-11-01', '2026-11-30'), 30);
  assert.equal(daysBetween('2026-11-30', '2026-11-30'), 1);
});

test('each view has a default range ending today in India, within its bound', () => {
  const now = new Date('2026-11-29T20:00:00Z');
  assert.deepEqual(defaultRange('day', now), { from: '2026-11-01', to: '2026-11-30' });
  for (const view of ['day', 'week', 'month', 'tag', 'mentor']) {
    const { from, to } = defaultRange(view, now);
    assert.equal(rangeError(from, to), '', view);
  }
});

test('a range the API would refuse for any view is refused with the same reason', () => {
  assert.equal(rangeError('2026-11-30', '2026-11-01'), 'The range ends before it starts.');
  assert.equal(rangeError('', '2026-11-01'), 'Choose both dates.');
  assert.equal(rangeError('2026-01-01', '2026-06-30'), '');
  assert.equal(rangeError('2025-01-01', '2026-02-04'), '');
  assert.match(rangeError('2025-01-01', '2026-02-05'), /at most 400 days/);
});

const report = (dimension, rows, extra = {}) => ({
  dimension,
  from_date: '2026-11-01',
  to_date: '2026-11-30',
  metrics: ['gmv_paise', 'platform_revenue_paise', 'refunds_paise', 'gifts_paise'],
  rows: rows.map(([key, gmv, fee = 0, refunds = 0, gifts = 0]) => ({
    key,
    values: { gmv_paise: gmv, platform_revenue_paise: fee, refunds_paise: refunds, gifts_paise: gifts },
  })),
  totals: { gmv_paise: 150_000, platform_revenue_paise: 15_000, refunds_paise: 10_000, gifts_paise: 5_000 },
  ...extra,
});

test('time rows stay in order with calendar labels; mentors by GMV with their names', () => {
  const byWeek = revenueRows(report('week', [['2026-11-16', 100], ['2026-11-23', 300]]));
  assert.deepEqual(byWeek.map((r) => r.label), ['Week of 16 Nov', 'Week of 23 Nov']);
  const byDay = revenueRows(report('day', [['2026-11-29', 1]]));
  assert.equal(byDay[0].label, '29 Nov 2026');
  const byMentor = revenueRows(
    report('mentor', [['01MENTORAAAAAA', 100], ['01MENTORBBBBBB', 900], ['01GONE0ABCDEF', 50]], {
      labels: { '01MENTORAAAAAA': 'Asha', '01MENTORBBBBBB': 'Vikram' },
    }),
  );
  assert.deepEqual(byMentor.map((r) => [r.label, r.gmv_paise]), [
    ['Vikram', 900],
    ['Asha', 100],
    ['Former mentor (ABCDEF)', 50],
  ]);
});

test('the chart has the four series of the first rows; the totals are the report’s, not the rows’ sum', () => {
  const out = report('tag', [['python', 100_000, 10_000, 5_000, 0], ['rust', 100_000, 10_000, 5_000, 5_000]]);
  const rows = revenueRows(out);
  const series = revenueSeries(rows, 1);
  assert.deepEqual(series.labels, ['python']);
  assert.deepEqual(series.datasets.map((d) => [d.label, d.data]), [
    ['GMV', [100_000]],
    ['Platform revenue', [10_000]],
    ['Refunds', [5_000]],
    ['Gifts', [0]],
  ]);
  assert.deepEqual(revenueTotals(out), out.totals);
  assert.match(revenueSummary(out, rows), /GMV ₹1,500, platform revenue ₹150, refunds ₹100, gifts ₹50\. The table has each of 2 rows/);
  assert.equal(revenueSummary(report('day', []), []), 'No money moved in this range.');
});

test('the search box finds a payment by id, a learner by email or id, or everything', () => {
  assert.deepEqual(paymentSearch('  '), {});
  assert.deepEqual(paymentSearch(' pay_NkV9aF3tL0pQ2Z '), { paymentId: 'pay_NkV9aF3tL0pQ2Z' });
  assert.deepEqual(paymentSearch('Asha@Example.com'), { learner: 'Asha@Example.com' });
  assert.deepEqual(paymentSearch('01JDQ7R4M2X9V8K3T6N5P0A1B2'), { learner: '01JDQ7R4M2X9V8K3T6N5P0A1B2' });
});

test('the reconciliation line says never run, balanced, or how many differences', () => {
  assert.match(booksText({ ok: false, checked: [], breaks: [], ran_at: null }), /haven't been checked yet/);
  assert.match(booksText({ ok: true, checked: ['books', 'razorpay 2026-11'], breaks: [], ran_at: '2026-11-29T00:30:02Z' }), /^The books balance \(checked .*: books, razorpay 2026-11\)\.$/);
  const two = { ok: false, checked: ['books'], breaks: [{ kind: 'a', detail: 'x' }, { kind: 'b', detail: 'y' }], ran_at: '2026-11-29T00:30:02Z' };
  assert.match(booksText(two), /^2 differences found/);
});
