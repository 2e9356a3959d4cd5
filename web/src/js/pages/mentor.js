// /mentors/<id>: a mentor's public page: who they are, how learners rate them, what they teach next
// and what learners said (with the mentor's replies).
import Alpine from '@alpinejs/csp';
import { get, withQuery } from '../api.js';
import { pageList } from '../paging.js';

const SESSIONS_PAGE_SIZE = 6;
const REVIEWS_PAGE_SIZE = 10;

const sessionsOf = (id) =>
  pageList((cursor) => get(withQuery(`/api/mentors/${encodeURIComponent(id)}/sessions`, { limit: SESSIONS_PAGE_SIZE, cursor })));
const reviewsOf = (id) =>
  pageList((cursor) => get(withQuery(`/api/mentors/${encodeURIComponent(id)}/reviews`, { limit: REVIEWS_PAGE_SIZE, cursor })), {
    key: (review) => `${review.session_id}:${review.learner.id}`,
  });

export default () => ({
  status: 'loading', // loading | ready | not-found | not-mentor | failed
  message: '',
  person: null,
  sessions: sessionsOf(''),
  reviews: reviewsOf(''),

  init() {
    this.load();
    this.$watch('$store.route.params.id', () => {
      if (Alpine.store('route').name === 'mentor') this.load();
    });
  },

  get stats() {
    return this.person?.mentor_stats ?? null;
  },

  get sessionsTaught() {
    return this.stats?.sessions_taught ?? 0;
  },

  get isMe() {
    return Alpine.store('session').user?.id === this.person?.id;
  },

  /** Rows for the distribution bars, 5 stars first, each with its share of all ratings. */
  get distribution() {
    const counts = this.stats?.rating_distribution ?? {};
    const total = this.stats?.rating_count || 0;
    return [5, 4, 3, 2, 1].map((stars) => {
      const count = Number(counts[String(stars)] ?? 0);
      return { stars, count, percent: total ? Math.round((100 * count) / total) : 0 };
    });
  },

  async load() {
    const id = Alpine.store('route').params.id;
    if (!id) return;
    this.status = 'loading';
    this.sessions = sessionsOf(id);
    this.reviews = reviewsOf(id);
    try {
      this.person = await get(`/api/users/${encodeURIComponent(id)}`);
    } catch (error) {
      this.status = error.status === 404 ? 'not-found' : 'failed';
      this.message = error.message;
      return;
    }
    if (this.person.role !== 'mentor' && !this.person.mentor_stats) {
      this.status = 'not-mentor';
      return;
    }
    this.status = 'ready';
    document.title = `${this.person.name} · PeerLearn`;
    this.sessions.load();
    this.reviews.load();
  },
});
