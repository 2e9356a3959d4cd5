// /my/bookings: a learner's bookings, upcoming or past: hold countdowns, cancelling under the stated
// policy, whether the room is open, and rating a completed session (editable for 7 days).
import Alpine from '@alpinejs/csp';
import { get, patch, post, withQuery } from '../api.js';
import { REVIEW_EDIT_DAYS, REVIEW_TEXT_MAX, joinAnswerText, opensAt, policyText, roomOpensText } from '../catalog.js';
import { confirmAction } from '../confirm.js';
import { clockText } from '../forms.js';
import { dateText } from '../format.js';
import { pageList } from '../paging.js';
import { navigate } from '../router.js';
import { toast } from '../toasts.js';

const PAGE_SIZE = 20;
const REVIEW_PAGES_TO_SEARCH = 5;
// The latest a room can open before the start (the API's bound on early joining), until the
// session's own early-join minutes are known.
const EARLIEST_ROOM_OPEN_MS = 30 * 60_000;
// Bookings that no longer hold a seat: in Upcoming they move to their own "Cancelled" list.
const LAPSED = ['cancelled', 'expired'];
export const RATING_WORDS = ['', 'Poor', 'Fair', 'Good', 'Very good', 'Excellent'];

const entryFor = (booking) => ({
  booking,
  policy: null,
  busy: '', // cancel | join
  error: '',
  join: null, // the last answer of POST /join
  details: null, // the session in full (SessionOut), for upcoming bookings: room opening, seats
  feedback: { status: 'idle', review: null, editing: false, rating: 0, hover: 0, text: '', error: '', saving: false },
});

export default () => {
  const page = {
    reviewMax: REVIEW_TEXT_MAX,
    ratingWords: RATING_WORDS,

    init() {
      this.list.load();
      this.$watch('$store.route.query', () => {
        if (Alpine.store('route').name === 'my-bookings') this.list.load();
      });
    },

    get now() {
      return Alpine.store('clock').now;
    },

    get when() {
      return Alpine.store('route').query.when === 'past' ? 'past' : 'upcoming';
    },

    holdSeconds(entry) {
      const until = entry.booking.hold_expires_at;
      return until ? Math.max(0, Math.ceil((new Date(until).getTime() - this.now) / 1000)) : 0;
    },

    holdClock(entry) {
      return clockText(this.holdSeconds(entry));
    },

    /** The bookings listed as such: in Upcoming, only those that still hold a seat. */
    get listed() {
      return this.when === 'upcoming' ? this.list.items.filter((e) => !LAPSED.includes(e.booking.status)) : this.list.items;
    },

    get cancelled() {
      return this.when === 'upcoming' ? this.list.items.filter((e) => LAPSED.includes(e.booking.status)) : [];
    },

    /** A lapsed booking can be made again while its session is still open with a free seat. */
    bookAgain(entry) {
      const session = entry.details;
      return Boolean(session && session.status === 'scheduled' && session.seats_left > 0 && new Date(session.starts_at).getTime() > this.now);
    },

    againText(entry) {
      const session = entry.details;
      if (!session) return '';
      if (session.status === 'cancelled') return 'The mentor cancelled this session.';
      return session.seats_left > 0 ? 'Booking has closed.' : 'The session is full now.';
    },

    roomText(entry) {
      if (entry.join) return joinAnswerText(entry.join, this.now);
      return entry.details ? roomOpensText(entry.details, this.now) : '';
    },

    /** The room can't be open yet (before the session's early-join window, or the longest one). */
    roomClosed(entry) {
      if (entry.details) return opensAt(entry.details).getTime() > this.now;
      return new Date(entry.booking.session.starts_at).getTime() - this.now > EARLIEST_ROOM_OPEN_MS;
    },

    isActive(entry) {
      return ['held', 'confirmed'].includes(entry.booking.status) && !['cancelled', 'completed'].includes(entry.booking.session.status);
    },

    canCancel(entry) {
      if (!this.isActive(entry)) return false;
      if (entry.booking.status === 'held') return this.holdSeconds(entry) > 0;
      return !entry.policy || new Date(entry.policy.cancellable_until).getTime() > this.now;
    },

    policyLine(entry) {
      return entry.policy ? policyText(entry.policy, entry.booking.session, this.now) : '';
    },

    editable(review) {
      return review && new Date(review.created_at).getTime() + REVIEW_EDIT_DAYS * 24 * 3600_000 > this.now;
    },

    editableText(review) {
      if (!this.editable(review)) return `Reviews can be edited for ${REVIEW_EDIT_DAYS} days.`;
      const until = new Date(new Date(review.created_at).getTime() + REVIEW_EDIT_DAYS * 24 * 3600_000);
      return `You can edit your review until ${dateText(until.toISOString())}.`;
    },

    stopFeedback(entry) {
      entry.feedback.editing = false;
      entry.feedback.error = '';
    },

    /** The cancellation policy of an active booking; the learner's own review of a completed one. */
    loadExtras(entry) {
      if (this.isActive(entry)) this.loadPolicy(entry);
      if (this.when === 'upcoming') this.loadDetails(entry);
      if (entry.booking.status === 'completed') this.loadMyReview(entry);
    },

    async loadDetails(entry) {
      try {
        entry.details = await get(`/api/sessions/${entry.booking.session_id}`);
      } catch {
        // Without the details the room copy waits for a join attempt; Book again stays hidden.
      }
    },

    async loadPolicy(entry) {
      try {
        const state = await get(`/api/sessions/${entry.booking.session_id}/booking`, { auth: true });
        entry.policy = state.cancellation_policy ?? null;
      } catch {
        // Without the policy the cancel button still works; the server enforces the cut-off.
      }
    },

    async loadMyReview(entry) {
      const me = Alpine.store('session').user?.id;
      entry.feedback.status = 'loading';
      try {
        let cursor = '';
        for (let i = 0; i < REVIEW_PAGES_TO_SEARCH; i += 1) {
          const page = await get(withQuery(`/api/sessions/${entry.booking.session_id}/reviews`, { limit: 50, cursor }));
          const mine = (page.items ?? []).find((review) => review.learner?.id === me);
          if (mine) {
            Object.assign(entry.feedback, { status: 'mine', review: mine });
            return;
          }
          cursor = page.next_cursor;
          if (!cursor) break;
        }
        entry.feedback.status = 'none';
      } catch {
        entry.feedback.status = 'none';
      }
    },

    async cancel(entry) {
      entry.error = '';
      const held = entry.booking.status === 'held';
      const ok = await confirmAction({
        title: held ? 'Release this seat?' : 'Cancel your booking?',
        message: held ? 'Your held seat goes back to other learners.' : `You'll lose your seat in “${entry.booking.session.title}”.`,
        details: held ? '' : this.policyLine(entry),
        confirmLabel: held ? 'Release seat' : 'Cancel booking',
        cancelLabel: 'Keep my seat',
        danger: true,
      });
      if (!ok) return;
      entry.busy = 'cancel';
      try {
        const booking = await post(`/api/sessions/${entry.booking.session_id}/booking/cancel`, {}, { auth: true });
        entry.booking = { ...entry.booking, ...booking, session: booking.session ?? entry.booking.session };
        toast(held ? 'Seat released.' : 'Your booking is cancelled.', 'success');
      } catch (error) {
        entry.error = error.message;
        if (error.code === 'cancellation_closed') this.loadPolicy(entry);
      } finally {
        entry.busy = '';
      }
    },

    async join(entry) {
      entry.error = '';
      entry.busy = 'join';
      try {
        entry.join = await post(`/api/sessions/${entry.booking.session_id}/join`, {}, { auth: true });
        if (entry.join.can_join) navigate(`/sessions/${encodeURIComponent(entry.booking.session_id)}/room`);
      } catch (error) {
        entry.error = error.message;
      } finally {
        entry.busy = '';
      }
    },

    startFeedback(entry) {
      const review = entry.feedback.review;
      Object.assign(entry.feedback, { editing: true, rating: review?.rating ?? 0, hover: 0, text: review?.text ?? '', error: '' });
      this.$nextTick(() => document.getElementById(`feedback-${entry.booking.id}`)?.querySelector('input[type=radio]')?.focus());
    },

    async submitFeedback(entry) {
      const fb = entry.feedback;
      fb.error = '';
      if (!(fb.rating >= 1 && fb.rating <= 5)) {
        fb.error = 'Choose a rating from 1 to 5 stars.';
        return;
      }
      const text = fb.text.trim();
      if (text.length > REVIEW_TEXT_MAX) {
        fb.error = `Keep your review under ${REVIEW_TEXT_MAX} characters.`;
        return;
      }
      fb.saving = true;
      const path = `/api/sessions/${entry.booking.session_id}/reviews`;
      try {
        const review = fb.review
          ? await patch(`${path}/mine`, { rating: fb.rating, text }, { auth: true })
          : await post(path, text ? { rating: fb.rating, text } : { rating: fb.rating }, { auth: true });
        Object.assign(fb, { status: 'mine', review, editing: false });
        toast('Thanks for your feedback!', 'success');
      } catch (error) {
        fb.error = error.message;
        if (error.code === 'already_reviewed') this.loadMyReview(entry);
        if (['already_reviewed', 'edit_window_closed'].includes(error.code)) fb.editing = false;
      } finally {
        fb.saving = false;
      }
    },
  };
  page.list = pageList((cursor) => get(withQuery('/api/me/bookings', { when: page.when, limit: PAGE_SIZE, cursor }), { auth: true }), {
    wrap: entryFor,
    key: (entry) => entry.booking.id,
    // Each booking shown then fetches what its card needs (policy, session, own review).
    loaded: (entries) => entries.forEach((entry) => page.loadExtras(entry)),
  });
  return page;
};
