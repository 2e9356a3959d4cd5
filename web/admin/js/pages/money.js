// /admin/money: the money desk: payments (refund any, fully or
// partly, with a reason), refunds (those still due first), and mentors' withdrawals to approve or
// reject with a reason; revenue and the books' reconciliation at the top.
import Alpine from '@alpinejs/csp';
import { get, post, withQuery } from '../../../src/js/api.js';
import { confirmAction } from '../../../src/js/confirm.js';
import { amountText, paiseFromRupees, whenText } from '../../../src/js/format.js';
import {
  paymentStatusBadge,
  paymentStatusLabel,
  refundStatusLabel,
  requestId,
  withdrawalStatusBadge,
  withdrawalStatusLabel,
} from '../../../src/js/payments.js';
import { pageList } from '../../../src/js/paging.js';
import { toast } from '../../../src/js/toasts.js';
import { REASON_MAX, REASON_MIN } from '../user-actions.js';

const PAGE_SIZE = 20;
const TABS = [
  { value: 'payments', label: 'Payments' },
  { value: 'refunds', label: 'Refunds' },
  { value: 'withdrawals', label: 'Withdrawals' },
];
const WITHDRAWAL_STATUSES = ['requested', 'approved', 'processing', 'paid', 'failed', 'rejected'];
const REFUND_REASON_MAX = 300;

const tabFrom = (query) => (TABS.some((t) => t.value === query.tab) ? query.tab : 'payments');

export default () => {
  const page = {
    tabs: TABS,
    tab: tabFrom(Alpine.store('route').query),
    refundsDue: true,
    withdrawalStatus: 'requested',
    withdrawalStatuses: WITHDRAWAL_STATUSES,
    reasonMax: REASON_MAX,
    refundReasonMax: REFUND_REASON_MAX,
    open: null, // the refund or rejection form: { kind: 'refund' | 'reject', id, amount, reason, error, saving, requestId }
    busy: '', // the id of the withdrawal being approved
    revenue: null,
    books: null, // the last reconciliation answer
    checking: false,
    booksError: '',

    init() {
      this.show();
      get('/api/admin/revenue', { auth: true }).then((revenue) => (this.revenue = revenue)).catch(() => {});
      this.$watch('$store.route.query', (query) => {
        if (Alpine.store('route').name !== 'money') return;
        this.tab = tabFrom(query);
        this.open = null;
        this.show();
      });
    },

    show() {
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
      const amount = text ? paiseFromRupees(text) : null;
      open.error = '';
      if (text && (!amount || amount < 100 || amount > this.refundable(payment))) {
        open.error = `Enter an amount from ₹1 to ${amountText(this.refundable(payment))}, or leave it empty to refund the rest.`;
        return;
      }
      if (reason.length < REASON_MIN || reason.length > REFUND_REASON_MAX) {
        open.error = `Give a reason of ${REASON_MIN} to ${REFUND_REASON_MAX} characters; the learner's credit note carries it.`;
        return;
      }
      const body = { reason, request_id: open.requestId, ...(amount ? { amount_paise: amount } : {}) };
      open.saving = true;
      try {
        const made = await post(`/api/admin/payments/${encodeURIComponent(payment.payment_id)}/refund`, body, { auth: true });
        toast(`Refund of ${amountText(made.amount_paise)} ${made.status === 'processed' ? 'done' : 'started'}.`, 'success');
        this.open = null;
        this.payments.load();
      } catch (error) {
        open.error = error.message;
      } finally {
        open.saving = false;
      }
    },

    async approve(withdrawal) {
      const ok = await confirmAction({
        title: `Pay out ${amountText(withdrawal.amount_paise)}?`,
        message: 'Razorpay sends it to the mentor’s bank account now.',
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
      if (reason.length < REASON_MIN || reason.length > REASON_MAX) {
        open.error = `Give a reason of ${REASON_MIN} to ${REASON_MAX} characters; the mentor sees it.`;
        return;
      }
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

    setRefundsDue(due) {
      this.refundsDue = due;
      this.refunds.load();
    },

    setWithdrawalStatus() {
      this.withdrawals.load();
    },

    // The nightly job's last report (the check reads the whole journal: never on a request).
    booksText() {
      const books = this.books;
      if (!books) return '';
      if (!books.ran_at) return "The books haven't been checked yet: the check runs every night.";
      const when = whenText(books.ran_at);
      if (books.ok) return `The books balance (checked ${when}: ${books.checked.join(', ')}).`;
      return `${books.breaks.length} problem(s) found when the books were checked ${when}:`;
    },

    booksClass() {
      if (!this.books?.ran_at) return 'rounded-xl bg-white p-4 ring-1 ring-slate-200';
      return this.books.ok ? 'alert-success' : 'alert-error';
    },

    async checkBooks() {
      this.checking = true;
      this.booksError = '';
      try {
        this.books = await get('/api/admin/reconciliation', { auth: true });
      } catch (error) {
        this.booksError = error.message;
      } finally {
        this.checking = false;
      }
    },
  };
  page.payments = pageList((cursor) => get(withQuery('/api/admin/payments', { limit: PAGE_SIZE, cursor }), { auth: true }), {
    key: (payment) => payment.payment_id,
    status: 'idle',
  });
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
