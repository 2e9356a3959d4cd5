// How a payment reads in lists and on receipts: its state in words and a badge, the method's name.

const STATUS = {
  captured: { label: 'Paid', badge: 'bg-green-100 text-green-800' },
  partially_refunded: { label: 'Partly refunded', badge: 'bg-amber-100 text-amber-800' },
  refunded: { label: 'Refunded', badge: 'bg-slate-200 text-slate-700' },
};

const METHODS = { upi: 'UPI', card: 'Card', netbanking: 'Netbanking', wallet: 'Wallet', emi: 'EMI' };

export const paymentStatusLabel = (status) => STATUS[status]?.label ?? status;
export const paymentStatusBadge = (status) => STATUS[status]?.badge ?? 'bg-slate-100 text-slate-700';
export const methodLabel = (method) => METHODS[method] ?? (method ? method : 'Razorpay');

/** What became of the money, when it isn't simply "paid for the booking". */
export function outcomeText(payment) {
  if (payment.outcome === 'refund_no_seat') return 'The seat hold ran out and no seat was left, so this was refunded in full.';
  if (payment.outcome === 'refund_duplicate') return 'You had already paid for this seat, so this second payment was refunded.';
  return '';
}

const REFUND_STATUS = { requested: 'Requested', pending: 'Pending', processed: 'Refunded', failed: 'Failed' };
export const refundStatusLabel = (status) => REFUND_STATUS[status] ?? status;

const WITHDRAWAL_STATUS = {
  requested: { label: 'Waiting for approval', badge: 'bg-amber-100 text-amber-800' },
  approved: { label: 'Approved', badge: 'bg-sky-100 text-sky-800' },
  processing: { label: 'On its way', badge: 'bg-sky-100 text-sky-800' },
  paid: { label: 'Paid', badge: 'bg-green-100 text-green-800' },
  failed: { label: 'Returned', badge: 'bg-rose-100 text-rose-800' },
  rejected: { label: 'Rejected', badge: 'bg-rose-100 text-rose-800' },
};
export const withdrawalStatusLabel = (status) => WITHDRAWAL_STATUS[status]?.label ?? status;
export const withdrawalStatusBadge = (status) => WITHDRAWAL_STATUS[status]?.badge ?? 'bg-slate-100 text-slate-700';

/** A fresh id for an admin's refund request: resending the same request refunds once. */
export function requestId() {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return `web-${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}
