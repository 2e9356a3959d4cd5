// /: a landing page when signed out. Signed in: a learner's upcoming bookings and a way to discover,
// or a mentor's upcoming sessions and a way to publish; then the profile steps that fit the role.
import Alpine from '@alpinejs/csp';
import { get, withQuery } from '../api.js';
import { completeness } from '../people.js';

const UPCOMING_SHOWN = 3;
// Bookings that still hold a seat.
const HOLDING = ['held', 'confirmed'];

export default () => ({
  upcoming: { status: 'loading', items: [], message: '' },

  init() {
    if (this.user) this.loadUpcoming();
  },

  get user() {
    return Alpine.store('session').user;
  },

  get isMentor() {
    return this.user?.role === 'mentor';
  },

  get firstName() {
    return this.user?.name?.split(' ')[0] ?? '';
  },

  get profile() {
    return this.user ? completeness(this.user) : { percent: 0, missing: [] };
  },

  /** The next few sessions: ones a mentor teaches, or ones a learner holds a seat in. */
  async loadUpcoming() {
    this.upcoming = { status: 'loading', items: [], message: '' };
    try {
      const items = this.isMentor
        ? (await get(withQuery('/api/me/sessions', { when: 'upcoming', limit: UPCOMING_SHOWN }), { auth: true })).items ?? []
        : ((await get(withQuery('/api/me/bookings', { when: 'upcoming', limit: 10 }), { auth: true })).items ?? [])
            .filter((booking) => HOLDING.includes(booking.status))
            .map((booking) => ({ ...booking.session, id: booking.session_id }));
      this.upcoming = { status: 'ready', items: items.slice(0, UPCOMING_SHOWN), message: '' };
    } catch (error) {
      this.upcoming = { status: 'failed', items: [], message: error.message };
    }
  },
});
