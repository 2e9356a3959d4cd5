// /my/payments: a learner's payments, newest first, each with its receipt.
import { get, withQuery } from '../api.js';
import { methodLabel, outcomeText, paymentStatusBadge, paymentStatusLabel } from '../payments.js';
import { pageList } from '../paging.js';

const PAGE_SIZE = 20;

export default () => ({
  list: pageList((cursor) => get(withQuery('/api/payments/history/', { limit: PAGE_SIZE, cursor }), { auth: true }), {
    key: (payment) => payment.payment_id,
  }),

  init() {
    this.list.load();
  },

  statusLabel: paymentStatusLabel,
  statusBadge: paymentStatusBadge,
  methodLabel,
  outcomeText,

  receiptHref(payment) {
    return `/my/payments/${encodeURIComponent(payment.payment_id)}/receipt`;
  },
});
