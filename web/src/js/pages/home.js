// /: a landing page when signed out. Signed in: a learner's upcoming bookings, sessions picked for
// them, what is trending and mentors for them (each with its reason); or a mentor's upcoming sessions
// and what learners want; then the profile steps that fit the role.
import Alpine from '@alpinejs/csp';
import { get, withQuery } from '../api.js';
import { completeness } from '../people.js';
import { demandList, mentorPicks, sessionPicks } from '../recommend.js';

const UPCOMING_SHOWN = 3;
// Bookings that still hold a seat.
const HOLDING = ['held', 'confirmed'];

export default () => ({
  upcoming: { status: 'loading', items: [], message: '' },
  forYou: sessionPicks('/sessions', { limit: 4, auth: true }),
  trending: sessionPicks('/trending', { limit: 2, auth: true }),
  mentors: mentorPicks({ limit: 2 }),
  demand: demandList(),

  init() {
    if (!this.user) return;
    this.loadUpcoming();
    if (this.isMentor) this.demand.load();
    else if (this.user.role === 'learner') this.loadPicks();
  },

  /** For you, Trending and Mentors for you, side by side (a failure of one leaves the others). */
  loadPicks() {
    this.forYou.load();
    this.trending.load();
    this.mentors.load();
  },

  newSessionHref(tag) {
    return withQuery('/my/sessions/new', { tag });
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
