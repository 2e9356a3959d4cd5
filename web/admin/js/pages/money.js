// /admin/money: the money desk. Payments (search by payment id, learner email or id, and dates in
// India; refund any, fully or partly, with a reason and a confirm), refunds (those still due first),
// mentors' withdrawals to approve or reject with a reason, revenue (GMV, platform revenue, refunds and
// gifts by day / week / month / tag / mentor from the rollups, as a chart and a table, with the
// ledger's running balances), and the books' last reconciliation at the top.
import Alpine from '@alpinejs/csp';
import { get, getBlob, post, withQuery } from '../../../src/js/api.js';
import { barChart } from '../../../src/js/charts.js';
import { confirmAction } from '../../../src/js/confirm.js';
import { amountText, paiseFromRupees } from '../../../src/js/format.js';
import { pageList } from '../../../src/js/paging.js';
import {
  paymentStatusBadge,
  paymentStatusLabel,
  refundStatusLabel,
  requestId,
  withdrawalStatusBadge,
  withdrawalStatusLabel,
} from '../../../src/js/payments.js';
import { toast } from '../../../src/js/toasts.js';
import {
  REVENUE_METRICS,
  REVENUE_VIEWS,
  booksText,
  defaultRange,
  paymentSearch,
  rangeError,
  revenueRows,
  revenueSeries,
  revenueSummary,
  revenueTotals,
} from '../money.js';

const PAGE_SIZE = 20;
const ROUTE = 'money';
const TABS = [
  { value: 'payments', label: 'Payments' },
  { value: 'refunds', label: 'Refunds' },
  { value: 'withdrawals', label: 'Withdrawals' },
  { value: 'revenue', label: 'Revenue' },
];
const WITHDRAWAL_STATUSES = ['requested', 'approved', 'processing', 'paid', 'failed', 'rejected'];
const REASON_MIN = 3;
const REFUND_REASON_MAX = 300; // AdminRefundRequest.reason
const REJECT_REASON_MAX = 500; // RejectRequest.reason

const SPLIT_LABELS = [
  ['mentor_share_paise', "Mentor's share"],
  ['platform_fee_paise', 'Platform fee'],
  ['gst_paise', 'GST on the fee'],
  ['tcs_paise', 'TCS withheld'],
  ['tds_paise', 'TDS withheld'],
];

const tabFrom = (query) => (TABS.some((t) => t.value === query.tab) ? query.tab : 'payments');

export default () => {
  let chart = null; // the Chart.js instance: kept out of Alpine's reactive state

  const page = {
    tabs: TABS,
    tab: tabFrom(Alpine.store('route').query),
    refundsDue: true,
    withdrawalStatus: 'requested',
    withdrawalStatuses: WITHDRAWAL_STATUSES,
    refundReasonMax: REFUND_REASON_MAX,
    rejectReasonMax: REJECT_REASON_MAX,
    open: null, // the refund or rejection form: { kind, id, amount, reason, error, saving, requestId }
    busy: '', // the id of the withdrawal being approved

    // payments search: what was typed, and what the list shows now
    search: { text: '', from: '', to: '', error: '' },
    filter: {},
    found: null, // one payment found by its id: { status, payment, message }
    details: {}, // by payment id: { open, status, data, message }

    balances: { status: 'loading', data: null, message: '' }, // /api/admin/revenue (the ledger's totals)
    books: { status: 'loading', data: null, message: '' }, // /api/admin/reconciliation

    revenueViews: REVENUE_VIEWS,
    revenueMetrics: REVENUE_METRICS,
    revenue: { view: 'day', ...defaultRange('day'), error: '', status: 'idle', report: null, rows: [], message: '' },
    chartFailed: false,

    init() {
      this.show();
      this.loadBooks();
      this.$watch('$store.route.query', (query) => {
        if (Alpine.store('route').name !== ROUTE) return;
        this.tab = tabFrom(query);
        this.open = null;
        this.show();
      });
    },

    destroy() {
      chart?.destroy();
      chart = null;
    },

    show() {
      if (this.tab === 'revenue') {
        this.loadRevenue();
        return;
      }
      ({ payments: this.payments, refunds: this.refunds, withdrawals: this.withdrawals })[this.tab].load();
    },

    tabHref(tab) {
      return withQuery('/admin/money', { tab: tab === 'payments' ? '' : tab });
    },

    paymentStatusLabel,
    paymentStatusBadge,
    refundStatusLabel,
    withdrawalStatusLabel,
    withdrawalStatusBadge,

    // ------------------------------------------------------------ the books and the ledger
    async loadBooks() {
      this.books = { status: 'loading', data: this.books.data, message: '' };
      try {
        this.books = { status: 'ready', data: await get('/api/admin/reconciliation', { auth: true }), message: '' };
      } catch (error) {
        this.books = { status: 'failed', data: null, message: error.message };
      }
    },

    get booksLine() {
      return booksText(this.books.data);
    },

    get booksClass() {
      const books = this.books.data;
      if (!books?.ran_at) return 'card';
      return books.ok ? 'alert-success' : 'alert-error';
    },

    async loadBalances() {
      this.balances = { status: 'loading', data: null, message: '' };
      try {
        this.balances = { status: 'ready', data: await get('/api/admin/revenue', { auth: true }), message: '' };
      } catch (error) {
        this.balances = { status: 'failed', data: null, message: error.message };
      }
    },

    // ------------------------------------------------------------ payments
    async find() {
      const wanted = paymentSearch(this.search.text);
      this.search.error = '';
      if (this.search.from && this.search.to && this.search.to < this.search.from) {
        this.search.error = 'The range ends before it starts.';
        return;
      }
      this.open = null;
      if (wanted.paymentId) {
        this.found = { status: 'loading', payment: null, message: '' };
        try {
          const detail = await get(`/api/admin/payments/${encodeURIComponent(wanted.paymentId)}`, { auth: true });
          this.found = { status: 'ready', payment: detail.payment, message: '' };
        } catch (error) {
          this.found = { status: 'failed', payment: null, message: error.status === 404 ? 'No payment has that id.' : error.message };
        }
        return;
      }
      this.found = null;
      this.filter = { learner: wanted.learner ?? '', from: this.search.from, to: this.search.to };
      this.payments.load();
    },

    clearSearch() {
      this.search = { text: '', from: '', to: '', error: '' };
      this.filter = {};
      this.found = null;
      this.payments.load();
    },

    get searching() {
      return Boolean(this.found || this.filter.learner || this.filter.from || this.filter.to);
    },

    get shownPayments() {
      if (this.found) return this.found.payment ? [this.found.payment] : [];
      return this.payments.items;
    },

    /** One payment's details (who paid whom, the split, its refunds), read when first opened. */
    async toggleDetails(payment) {
      const id = payment.payment_id;
      if (this.details[id]?.open) {
        this.details[id].open = false;
        return;
      }
      this.details[id] = { open: true, status: 'loading', data: null, message: '' };
      try {
        const data = await get(`/api/admin/payments/${encodeURIComponent(id)}`, { auth: true });
        this.details[id] = { open: true, status: 'ready', data, message: '' };
      } catch (error) {
        this.details[id] = { open: true, status: 'failed', data: null, message: error.message };
      }
    },

    detailsOpen(payment) {
      return Boolean(this.details[payment.payment_id]?.open);
    },

    splitLines(detail) {
      return SPLIT_LABELS.map(([key, label]) => ({ key, label, paise: detail.split[key] ?? 0 }));
    },

    refundable(payment) {
      return payment.amount_paise - payment.refunded_paise;
    },

    receiptHref(payment) {
      return `/my/payments/${encodeURIComponent(payment.payment_id)}/receipt`;
    },

    isOpen(kind, id) {
      return this.open?.kind === kind && this.open?.id === id;
    },

    toggle(kind, id) {
      // A new request id each time the form opens: sending the same form twice refunds once.
      this.open = this.isOpen(kind, id) ? null : { kind, id, amount: '', reason: '', error: '', saving: false, requestId: requestId() };
    },

    async refund(payment) {
      const open = this.open;
      const reason = open.reason.trim();
      const text = open.amount.trim();
      const left = this.refundable(payment);
      const amount = text ? paiseFromRupees(text) : left;
      open.error = '';
      if (text && (!amount || amount < 100 || amount > left)) {
        open.error = `Enter an amount from ₹1 to ${amountText(left)}, or leave it empty to refund the rest.`;
        return;
      }
      if (reason.length < REASON_MIN || reason.length > REFUND_REASON_MAX) {
        open.error = `Give a reason of ${REASON_MIN} to ${REFUND_REASON_MAX} characters; the learner's credit note carries it.`;
        return;
      }
      const ok = await confirmAction({
        title: `Refund ${amountText(amount)}?`,
        message: `${payment.session_title}: Razorpay returns it to the learner's ${payment.method ?? 'payment method'}. This can't be undone.`,
        details: reason,
        confirmLabel: `Refund ${amountText(amount)}`,
        cancelLabel: 'Not now',
        danger: true,
      });
      if (!ok) return;
      const body = { reason, request_id: open.requestId, ...(text ? { amount_paise: amount } : {}) };
      open.saving = true;
      try {
        const made = await post(`/api/admin/payments/${encodeURIComponent(payment.payment_id)}/refund`, body, { auth: true });
        toast(`Refund of ${amountText(made.amount_paise)} ${made.status === 'processed' ? 'done' : 'started'}.`, 'success');
        this.open = null;
        delete this.details[payment.payment_id];
        if (this.found) this.find();
        else this.payments.load();
      } catch (error) {
        open.error = error.message;
      } finally {
        open.saving = false;
      }
    },

    // ------------------------------------------------------------ refunds and withdrawals
    setRefundsDue(due) {
      this.refundsDue = due;
      this.refunds.load();
    },

    setWithdrawalStatus() {
      this.withdrawals.load();
    },

    async approve(withdrawal) {
      const ok = await confirmAction({
        title: `Pay out ${amountText(withdrawal.amount_paise)}?`,
        message: 'Razorpay sends it to the mentor’s bank account now.',
        details: withdrawal.paid_to ?? '',
        confirmLabel: 'Approve and pay',
        cancelLabel: 'Not yet',
      });
      if (!ok) return;
      this.busy = withdrawal.id;
      try {
        const done = await post(`/api/admin/withdrawals/${encodeURIComponent(withdrawal.id)}/approve`, {}, { auth: true });
        toast(`Approved: ${amountText(done.amount_paise)} is ${withdrawalStatusLabel(done.status).toLowerCase()}.`, 'success');
        this.withdrawals.load();
      } catch (error) {
        toast(error.message, 'error');
      } finally {
        this.busy = '';
      }
    },

    async reject(withdrawal) {
      const open = this.open;
      const reason = open.reason.trim();
      open.error = '';
      if (reason.length < REASON_MIN || reason.length > REJECT_REASON_MAX) {
        open.error = `Give a reason of ${REASON_MIN} to ${REJECT_REASON_MAX} characters; the mentor sees it.`;
        return;
      }
      const ok = await confirmAction({
        title: `Reject ${amountText(withdrawal.amount_paise)}?`,
        message: 'The money goes back to the mentor’s available balance; they see your reason.',
        details: reason,
        confirmLabel: 'Reject withdrawal',
        cancelLabel: 'Keep it',
        danger: true,
      });
      if (!ok) return;
      open.saving = true;
      try {
        await post(`/api/admin/withdrawals/${encodeURIComponent(withdrawal.id)}/reject`, { reason }, { auth: true });
        toast('Rejected; the money is available to the mentor again.', 'success');
        this.open = null;
        this.withdrawals.load();
      } catch (error) {
        open.error = error.message;
      } finally {
        open.saving = false;
      }
    },

    // ------------------------------------------------------------ revenue
    setView(view) {
      this.revenue.view = view;
      Object.assign(this.revenue, defaultRange(view));
      this.loadRevenue();
    },

    async loadRevenue() {
      const r = this.revenue;
      r.error = rangeError(r.from, r.to);
      if (r.error) return;
      if (this.balances.status !== 'ready') this.loadBalances();
      r.status = 'loading';
      r.message = '';
      const query = { metrics: REVENUE_METRICS.map((m) => m.key).join(','), dimension: r.view, from: r.from, to: r.to };
      try {
        const report = await get(withQuery('/api/admin/reports', query), { auth: true });
        if (report.dimension !== r.view || report.from_date !== r.from || report.to_date !== r.to) return; // a newer ask
        r.report = report;
        r.rows = revenueRows(report);
        r.status = 'ready';
        await this.$nextTick();
        await this.drawChart();
      } catch (error) {
        if (error.status === 400) {
          r.error = error.message; // the choice, not the page: said beside the dates
          Object.assign(r, { status: 'idle', report: null, rows: [] });
          chart?.destroy();
          chart = null;
          return;
        }
        r.status = 'failed';
        r.message = error.message;
      }
    },

    async drawChart() {
      const canvas = this.$refs.revenueChart;
      chart?.destroy();
      chart = null;
      if (!canvas || !this.revenue.rows.length) return;
      const series = revenueSeries(this.revenue.rows);
      const across = !['day', 'week', 'month'].includes(this.revenue.view);
      try {
        chart = await barChart(canvas, series.labels, series.datasets, { money: true, horizontal: across });
        canvas.dataset.drawn = 'true';
        this.chartFailed = false;
      } catch {
        this.chartFailed = true; // the table still has every number
      }
    },

    get revenueKeyLabel() {
      return { day: 'Day', week: 'Week', month: 'Month', tag: 'Tag', mentor: 'Mentor' }[this.revenue.view];
    },

    get revenueTotals() {
      return revenueTotals(this.revenue.report);
    },

    get revenueText() {
      return this.revenue.report ? revenueSummary(this.revenue.report, this.revenue.rows) : '';
    },

    /** The same report as CSV (the API's: the bearer token goes with it, so not a plain link). */
    async downloadCsv() {
      const r = this.revenue;
      const query = { metrics: REVENUE_METRICS.map((m) => m.key).join(','), dimension: r.view, from: r.from, to: r.to, format: 'csv' };
      try {
        const url = URL.createObjectURL(await getBlob(withQuery('/api/admin/reports', query)));
        const link = Object.assign(document.createElement('a'), { href: url, download: `peerlearn-revenue-${r.view}-${r.from}-${r.to}.csv` });
        link.click();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
      } catch (error) {
        toast(error.message, 'error');
      }
    },
  };

  page.payments = pageList(
    (cursor) => get(withQuery('/api/admin/payments', { limit: PAGE_SIZE, cursor, ...page.filter }), { auth: true }),
    { key: (payment) => payment.payment_id, status: 'idle' },
  );
  page.refunds = pageList((cursor) => get(withQuery('/api/admin/refunds', { due: page.refundsDue, limit: PAGE_SIZE, cursor }), { auth: true }), {
    key: (refund) => `${refund.payment_id}#${refund.refund_key}`,
    status: 'idle',
  });
  page.withdrawals = pageList(
    (cursor) => get(withQuery('/api/admin/withdrawals', { status: page.withdrawalStatus, limit: PAGE_SIZE, cursor }), { auth: true }),
    { status: 'idle' },
  );
  return page;
};
