// Gifts in the room (partials/room-gift.html): `roomGift` lets a learner pick ₹50 / ₹100 / ₹200 or an
// amount of their own plus a message and pay through Razorpay Checkout (the API's gift order, then
// /api/gift/verify/); `roomGiftBanner` shows each `gift` the room announces to everyone for a few
// seconds, once per gift id however often it arrives.
import Alpine from '@alpinejs/csp';
import { post } from '../api.js';
import { loadCheckout } from '../checkout.js';
import { amountText, paiseFromRupees } from '../format.js';
import { listenToRoom, roomMe, roomSessionId } from './panel.js';

// Mirrors payments/schemas.py: GIFT_PRESETS_PAISE, GIFT_MIN_PAISE, GIFT_MAX_PAISE; message ≤ 140.
export const GIFT_PRESETS_PAISE = [5_000, 10_000, 20_000];
export const GIFT_MIN_PAISE = 1_000;
export const GIFT_MAX_PAISE = 500_000;
export const GIFT_MESSAGE_MAX = 140;
const BANNER_MS = 8000;

export function registerRoomGifts() {
  Alpine.data('roomGift', () => {
    let attempt = 0;
    return {
      formOpen: false,
      choice: GIFT_PRESETS_PAISE[1], // paise, or 'custom'
      customRupees: '',
      message: '',
      status: 'idle', // idle | opening | open | processing | sent | failed | dismissed
      statusText: '',
      presets: GIFT_PRESETS_PAISE.map((paise) => ({ paise, label: amountText(paise) })),
      messageMax: GIFT_MESSAGE_MAX,

      get canGift() {
        const me = roomMe();
        return Boolean(me && me.room_role === 'learner' && me.status !== 'waiting');
      },

      get busy() {
        return ['opening', 'open', 'processing'].includes(this.status);
      },

      get amountPaise() {
        return this.choice === 'custom' ? paiseFromRupees(this.customRupees) : this.choice;
      },

      get amountProblem() {
        if (this.choice !== 'custom') return '';
        if (this.customRupees.trim() === '') return 'Enter an amount in rupees.';
        const paise = this.amountPaise;
        if (paise === null) return 'Enter rupees as a number, like 150 or 150.50.';
        if (paise < GIFT_MIN_PAISE || paise > GIFT_MAX_PAISE) return `Gifts are from ${amountText(GIFT_MIN_PAISE)} to ${amountText(GIFT_MAX_PAISE)}.`;
        return '';
      },

      get payLabel() {
        if (this.status === 'opening') return 'Opening checkout…';
        if (this.status === 'open') return 'Paying in checkout…';
        if (this.status === 'processing') return 'Confirming…';
        const paise = this.amountPaise;
        return paise && !this.amountProblem ? `Pay ${amountText(paise)}` : 'Pay';
      },

      isChoice(value) {
        return this.choice === value;
      },

      choose(value) {
        this.choice = value;
        if (value === 'custom') this.$nextTick(() => this.$refs.custom?.focus());
      },

      toggleForm() {
        this.formOpen = !this.formOpen;
        if (this.formOpen && ['sent', 'failed', 'dismissed'].includes(this.status)) this.status = 'idle';
      },

      closeForm() {
        if (this.busy) return;
        this.formOpen = false;
        this.$refs.toggle?.focus();
      },

      async pay() {
        if (this.busy || this.amountProblem) return;
        const mine = ++attempt;
        this.status = 'opening';
        this.statusText = '';
        let order;
        let Razorpay;
        try {
          const message = this.message.trim();
          order = await post(
            '/api/gift/create/',
            { session_id: roomSessionId(), amount_paise: this.amountPaise, ...(message && { message }) },
            { auth: true },
          );
          Razorpay = await loadCheckout(order.checkout_url);
        } catch (error) {
          if (mine !== attempt) return;
          this.fail(error.status !== undefined ? error.message : "Checkout didn't load. Check your connection and try again.");
          return;
        }
        if (mine !== attempt) return;
        const checkout = new Razorpay({
          key: order.key_id,
          order_id: order.order_id,
          amount: order.amount_paise,
          currency: order.currency,
          name: order.name,
          description: order.description,
          prefill: order.prefill ?? {},
          retry: { enabled: false },
          theme: { color: '#4338ca' },
          handler: (result) => this.verify(order.reference, result, mine),
          modal: {
            ondismiss: () => {
              if (mine !== attempt || this.status !== 'open') return;
              this.status = 'dismissed';
              this.statusText = 'You closed the checkout; no gift was sent.';
            },
          },
        });
        checkout.on('payment.failed', (response) => {
          if (mine !== attempt) return;
          this.fail((response && response.error && response.error.description) || 'The payment did not go through.');
        });
        this.status = 'open';
        checkout.open();
      },

      async verify(giftId, result, mine) {
        if (mine !== attempt) return;
        this.status = 'processing';
        try {
          const answer = await post('/api/gift/verify/', { gift_id: giftId, ...result }, { auth: true });
          if (mine !== attempt) return;
          this.status = 'sent';
          // `processing`: the bank hasn't captured yet; the room announces the gift when it does.
          this.statusText = answer.status === 'processing' ? 'Payment received. The room will see your gift as soon as the bank confirms it.' : answer.message;
          this.message = '';
        } catch (error) {
          if (mine !== attempt) return;
          this.fail(`${error.message} If money left your account, it will be confirmed or refunded automatically.`);
        }
      },

      fail(text) {
        this.status = 'failed';
        this.statusText = text;
      },
    };
  });

  Alpine.data('roomGiftBanner', () => {
    const seen = new Set();
    const queue = [];
    let timer = null;
    let stop = null;
    return {
      current: null, // { id, text, message } on show

      init() {
        stop = listenToRoom({ gift: (frame) => this.announce(frame.gift) });
      },

      destroy() {
        stop?.();
        clearTimeout(timer);
      },

      announce(gift) {
        if (!gift || !gift.id || seen.has(gift.id)) return;
        seen.add(gift.id);
        queue.push({
          id: gift.id,
          text: `${gift.from_name || 'Someone'} sent ${amountText(gift.amount_paise)}`,
          message: gift.message || '',
        });
        if (!this.current) this.next();
      },

      next() {
        this.current = queue.shift() ?? null;
        clearTimeout(timer);
        if (this.current) timer = setTimeout(() => this.next(), BANNER_MS);
      },
    };
  });
}
