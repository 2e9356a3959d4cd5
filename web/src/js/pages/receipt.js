// /my/payments/<id>/receipt: one payment's receipt (its number, the platform fee's GST), laid out to
// print on its own: the shell's header and footer and this page's buttons are hidden in print.
import Alpine from '@alpinejs/csp';
import { get } from '../api.js';
import { methodLabel, refundStatusLabel } from '../payments.js';

export default () => ({
  status: 'loading', // loading | ready | not-found | failed
  message: '',
  receipt: null,

  init() {
    this.load();
    this.$watch('$store.route.params.id', () => {
      if (Alpine.store('route').name === 'receipt') this.load();
    });
  },

  get backHref() {
    return Alpine.store('session').user?.role === 'admin' ? '/admin/money' : '/my/payments';
  },

  methodLabel,
  refundStatusLabel,

  get refundedPaise() {
    return (this.receipt?.credit_notes ?? []).reduce((sum, note) => sum + note.amount_paise, 0);
  },

  async load() {
    const id = Alpine.store('route').params.id;
    if (!id) return;
    this.status = 'loading';
    try {
      this.receipt = await get(`/api/payments/${encodeURIComponent(id)}/receipt`, { auth: true });
      this.status = 'ready';
      document.title = `Receipt ${this.receipt.number} · PeerLearn`;
    } catch (error) {
      this.status = error.status === 404 ? 'not-found' : 'failed';
      this.message = error.message;
    }
  },

  print() {
    window.print();
  },
});
