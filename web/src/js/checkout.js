// Paying for a held seat with Razorpay Checkout: the order from the API, checkout.js loaded from the
// URL the API names (Razorpay's in the cloud, the sandbox's stand-in locally), then Checkout's result
// verified by the API. A page keeps one as a property (`checkout: checkoutFor(...)`) and reads
// `checkout.status`: idle | opening | open | processing | confirmed | refunding | failed | dismissed.
import { get, post } from './api.js';

// After Checkout succeeds, Razorpay may still be capturing: the webhook confirms the booking, and
// we look again this often, for this long, before saying it is taking a while.
const POLL_MS = 2000;
const POLL_FOR_MS = 60_000;
// After a failure or a closed Checkout the bank may still authorise late (Razorpay then captures
// and the webhook confirms): look now and then while the seat is held.
const LATE_POLL_MS = 5000;
const LATE_POLL_FOR_MS = 10 * 60_000;

const scripts = new Map();

/** Loads checkout.js once per URL; resolves when `window.Razorpay` exists. */
export function loadCheckout(url) {
  if (window.Razorpay) return Promise.resolve(window.Razorpay);
  if (!scripts.has(url)) {
    const loading = new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = url;
      script.async = true;
      script.onload = () => (window.Razorpay ? resolve(window.Razorpay) : reject(new Error('no Razorpay')));
      script.onerror = () => reject(new Error('checkout.js did not load'));
      document.head.appendChild(script);
    });
    loading.catch(() => scripts.delete(url)); // a later try loads it again
    scripts.set(url, loading);
  }
  return scripts.get(url);
}

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The checkout of `sessionId`'s held seat. `booking()` reads the booking again (GET .../booking) and
 * resolves with it; `settled()` is told once the seat is confirmed (or refunded), to refresh the page.
 */
export function checkoutFor(sessionId, { booking, settled }) {
  return {
    status: 'idle',
    message: '', // what happened, in words (failed: why)
    payment: null, // the confirmed payment (PaymentOut), for the receipt link
    order: null,
    attempt: 0,

    get busy() {
      return ['opening', 'open', 'processing'].includes(this.status);
    },

    reset() {
      Object.assign(this, { status: 'idle', message: '', payment: null, order: null });
      this.attempt += 1;
    },

    fail(message) {
      this.status = 'failed';
      this.message = message;
    },

    /** Opens Checkout for the held seat (again, after a failure: the same order). */
    async start() {
      if (this.busy) return;
      const attempt = ++this.attempt;
      this.status = 'opening';
      this.message = '';
      let Razorpay;
      try {
        this.order = await post('/api/payments/create/', { session_id: sessionId }, { auth: true });
        Razorpay = await loadCheckout(this.order.checkout_url);
      } catch (error) {
        if (attempt !== this.attempt) return;
        if (error.code === 'already_confirmed') {
          await this.confirmedElsewhere();
          return;
        }
        this.fail(error.status !== undefined ? error.message : "Checkout didn't load. Check your connection and try again.");
        return;
      }
      if (attempt !== this.attempt) return;
      const order = this.order;
      const checkout = new Razorpay({
        key: order.key_id,
        order_id: order.order_id,
        amount: order.amount_paise,
        currency: order.currency,
        name: order.name,
        description: order.description,
        prefill: order.prefill ?? {},
        // One attempt per opening: a failure closes Checkout and this page says why and offers a retry.
        retry: { enabled: false },
        theme: { color: '#4338ca' },
        handler: (result) => this.verify(result, attempt),
        modal: {
          ondismiss: () => {
            if (attempt !== this.attempt || this.status !== 'open') return;
            this.status = 'dismissed';
            this.message = 'You closed the checkout before paying. Your seat is still held until the timer runs out.';
            this.watchForLatePayment(attempt);
          },
        },
      });
      checkout.on('payment.failed', (response) => {
        if (attempt !== this.attempt) return;
        const error = response?.error ?? {};
        const why = error.description || 'The payment did not go through.';
        this.fail(error.reason && error.reason !== 'payment_failed' ? `${why} (${error.reason.replaceAll('_', ' ')})` : why);
        this.watchForLatePayment(attempt);
      });
      this.status = 'open';
      checkout.open();
    },

    /** Checkout's success result, checked by the API; then the booking is confirmed. */
    async verify(result, attempt) {
      if (attempt !== this.attempt) return;
      this.status = 'processing';
      this.message = '';
      try {
        const answer = await post('/api/payments/verify/', { session_id: sessionId, ...result }, { auth: true });
        if (attempt !== this.attempt) return;
        if (answer.status === 'processing') {
          await this.waitForConfirmation(attempt);
          return;
        }
        this.payment = answer.payment;
        this.status = answer.status === 'refunding' ? 'refunding' : 'confirmed';
        this.message = answer.message;
        settled();
      } catch (error) {
        if (attempt !== this.attempt) return;
        this.fail(`${error.message} If money left your account, it will be confirmed or refunded automatically.`);
      }
    },

    /** Razorpay hasn't captured yet: the webhook will confirm the booking; watch for it. */
    async waitForConfirmation(attempt) {
      this.message = 'Payment received; confirming it with the bank…';
      for (let waited = 0; waited < POLL_FOR_MS; waited += POLL_MS) {
        await wait(POLL_MS);
        if (attempt !== this.attempt) return;
        const current = await booking().catch(() => null);
        if (current?.status === 'confirmed') {
          await this.confirmedElsewhere();
          return;
        }
      }
      this.fail('Your payment is taking longer than usual to confirm. We’ll confirm your seat or refund you in full — check My payments shortly.');
    },

    /** Until another attempt starts: a late authorisation confirms the seat without the page. */
    async watchForLatePayment(attempt) {
      for (let waited = 0; waited < LATE_POLL_FOR_MS; waited += LATE_POLL_MS) {
        await wait(LATE_POLL_MS);
        if (attempt !== this.attempt || !['failed', 'dismissed'].includes(this.status)) return;
        const current = await booking().catch(() => null);
        if (attempt !== this.attempt || !['failed', 'dismissed'].includes(this.status)) return;
        if (current?.status === 'confirmed') {
          await this.confirmedElsewhere();
          return;
        }
        if (current && current.status !== 'held') return; // expired or released: nothing to wait for
      }
    },

    async confirmedElsewhere() {
      this.status = 'confirmed';
      this.message = 'Payment received: you’re in.';
      this.payment = await paymentFor(sessionId).catch(() => null);
      settled();
    },
  };
}

/** The latest captured booking payment for a session, from the caller's history (first page). */
export async function paymentFor(sessionId) {
  const page = await get(`/api/payments/history/?limit=20`, { auth: true });
  return (page.items ?? []).find((item) => item.session_id === sessionId && item.purpose === 'booking') ?? null;
}
