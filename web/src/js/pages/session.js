// /sessions/<id>: one session in full, with a booking panel that follows the viewer's state (signed
// out, own session, bookable, held, booked, waitlisted, full, over), the session's reviews and
// similar sessions; a signed-in learner's visit is told to the recommender (one view per page view).
import Alpine from '@alpinejs/csp';
import { del, get, post, withQuery } from '../api.js';
import { checkoutFor, paymentFor } from '../checkout.js';
import { joinAnswerText, opensAt, policyText, roomOpensText } from '../catalog.js';
import { confirmAction } from '../confirm.js';
import { clockText } from '../forms.js';
import { moneyText, sameClock, viewerZone, whenText, zoneLongName } from '../format.js';
import { currentPath, navigate } from '../router.js';
import { pageList } from '../paging.js';
import { sendView, sessionPicks } from '../recommend.js';
import { toast } from '../toasts.js';

const REVIEWS_PAGE_SIZE = 10;
const SIMILAR_SHOWN = 3;

// Signed in, the API can leave out what the viewer booked; signed out, the list is the same for all.
const similarTo = (id) =>
  sessionPicks(`/sessions/${encodeURIComponent(id)}/similar`, {
    limit: SIMILAR_SHOWN,
    auth: Boolean(Alpine.store('session').user),
  });

const reviewsOf = (id) =>
  pageList((cursor) => get(withQuery(`/api/sessions/${id}/reviews`, { limit: REVIEWS_PAGE_SIZE, cursor })), {
    key: (review) => review.learner.id,
  });

export default () => ({
  status: 'loading', // loading | ready | not-found | failed
  message: '',
  session: null,
  viewer: null, // { booking, waitlist, cancellation_policy } for a signed-in viewer
  viewerStatus: 'idle', // idle | loading | ready | failed
  busy: '', // the action in flight: book | cancel | waitlist | leave | join
  actionError: '',
  actionCode: '',
  joinResult: null,
  reviews: reviewsOf(''),
  similar: similarTo(''),
  checkout: checkoutFor('', {}),
  refundPolicy: null, // GET /api/payments/policy for a paid session: shown before paying
  paid: null, // the payment of the viewer's confirmed seat, for its receipt

  init() {
    this.load();
    this.$watch('$store.route.params.id', () => {
      if (Alpine.store('route').name === 'session') this.load();
    });
    // Signing in or out elsewhere changes what the panel offers.
    this.$watch('$store.session.user', () => this.loadViewer());
    // Ask the room whether it's open as soon as this viewer might enter it (and again when it opens).
    this.$watch('roomDue', (due) => {
      if (due && !this.joinResult) this.checkRoom();
    });
  },

  get now() {
    return Alpine.store('clock').now;
  },

  get user() {
    return Alpine.store('session').user;
  },

  get isOwner() {
    return Boolean(this.user && this.session && this.user.id === this.session.mentor.id);
  },

  get adminMentorHref() {
    return withQuery('/admin/users', { q: this.session.mentor.name });
  },

  get signInHref() {
    return `/login?next=${encodeURIComponent(currentPath())}`;
  },

  /** The viewer's live booking, if any (a cancelled or expired one no longer counts). */
  get booking() {
    const booking = this.viewer?.booking;
    return booking && ['held', 'confirmed', 'completed', 'no_show'].includes(booking.status) ? booking : null;
  },

  get started() {
    return this.session.status === 'live' || new Date(this.session.starts_at).getTime() <= this.now;
  },

  get ended() {
    return this.session.status === 'completed' || new Date(this.session.ends_at).getTime() <= this.now;
  },

  /** What the booking panel shows. */
  get state() {
    const s = this.session;
    if (!s) return 'loading';
    if (s.status === 'cancelled') return 'cancelled';
    if (this.isOwner) return 'own';
    // Admins look after the platform; they never take a seat (the API refuses them too).
    if (this.user?.role === 'admin') return 'admin';
    if (!this.user) return this.ended ? 'ended' : this.started ? 'started' : 'signed-out';
    if (this.viewerStatus === 'loading' || this.viewerStatus === 'idle') return 'loading';
    const booking = this.booking;
    // A payment under way outlives the countdown: the API confirms it if the seat is still free.
    if (booking?.status === 'held') return this.holdSeconds > 0 || this.checkout.busy ? 'held' : 'hold-expired';
    if (booking?.status === 'confirmed') return this.ended ? 'ended' : 'booked';
    if (booking?.status === 'completed') return 'attended';
    if (this.ended) return 'ended';
    if (this.started) return 'started';
    if (this.viewer?.waitlist) return 'waitlisted';
    if (s.seats_left <= 0) return 'full';
    return 'bookable';
  },

  get holdSeconds() {
    const until = this.booking?.hold_expires_at;
    return until ? Math.max(0, Math.ceil((new Date(until).getTime() - this.now) / 1000)) : 0;
  },

  get holdClock() {
    return clockText(this.holdSeconds);
  },

  get policy() {
    return this.viewer?.cancellation_policy ?? null;
  },

  get policyText() {
    return policyText(this.policy, this.session, this.now);
  },

  get canCancel() {
    return !this.policy || new Date(this.policy.cancellable_until).getTime() > this.now;
  },

  /** The pay button's words: what happens when it is pressed, or what is under way. */
  get payLabel() {
    const price = moneyText(this.session.price_paise);
    if (this.checkout.status === 'opening') return 'Opening checkout…';
    if (this.checkout.status === 'open') return 'Paying in checkout…';
    if (this.checkout.status === 'processing') return 'Confirming payment…';
    if (this.checkout.status === 'failed' || this.checkout.status === 'dismissed') return `Try again — pay ${price}`;
    return `Pay ${price}`;
  },

  get checkoutProgress() {
    if (this.checkout.status === 'opening') return 'Opening Razorpay checkout…';
    if (this.checkout.status === 'open') return 'Finish paying in the checkout window.';
    return this.checkout.message || 'Confirming your payment…';
  },

  get receiptHref() {
    const payment = this.checkout.payment || this.paid;
    return payment ? `/my/payments/${encodeURIComponent(payment.payment_id)}/receipt` : '';
  },

  get opensAt() {
    return opensAt(this.session);
  },

  get roomOpen() {
    return this.opensAt.getTime() <= this.now && !this.ended;
  },

  /** The mentor, a confirmed learner or an admin (observer), with the room's hours begun. */
  get roomDue() {
    return ['own', 'admin', 'booked'].includes(this.state) && (this.roomOpen || this.session.status === 'live');
  },

  /** POST /join said the room takes this viewer now (or its lobby is open). */
  get canEnterRoom() {
    const answer = this.joinResult;
    return Boolean(answer && (answer.can_join || (answer.room && answer.room.opened)));
  },

  get roomHref() {
    return `/sessions/${encodeURIComponent(this.session.id)}/room`;
  },

  async checkRoom() {
    try {
      this.joinResult = await post(`/api/sessions/${this.session.id}/join`, {}, { auth: true });
    } catch {
      this.joinResult = null; // the button still asks again when pressed
    }
  },

  /** The one room-opening sentence (catalog.js), or what the last join attempt answered. */
  get roomText() {
    return this.joinResult ? joinAnswerText(this.joinResult, this.now) : roomOpensText(this.session, this.now);
  },

  get bookLabel() {
    return this.session.price_paise > 0 ? `Book for ${moneyText(this.session.price_paise)}` : 'Book a free seat';
  },

  /** "This is 11:00 pm in Europe/London (the mentor's time)", only when the zones differ. */
  get mentorTimeText() {
    const zone = this.session.timezone;
    if (!zone || sameClock(zone, viewerZone(), this.session.starts_at)) return '';
    try {
      return `${whenText(this.session.starts_at, zone)} in the mentor’s time zone (${zoneLongName(zone)})`;
    } catch {
      return '';
    }
  },

  async load() {
    const id = Alpine.store('route').params.id;
    if (!id) return;
    this.status = 'loading';
    this.viewer = null;
    this.viewerStatus = 'idle';
    this.actionError = '';
    this.actionCode = '';
    this.joinResult = null;
    this.refundPolicy = null;
    this.paid = null;
    this.checkout.reset(); // a Checkout still open for the last session answers nothing here
    try {
      this.session = await get(`/api/sessions/${encodeURIComponent(id)}`);
      this.checkout = checkoutFor(this.session.id, {
        booking: () => get(`/api/sessions/${this.session.id}/booking`, { auth: true }).then((viewer) => viewer.booking),
        settled: () => this.refresh(),
      });
      this.status = 'ready';
      document.title = `${this.session.title} · PeerLearn`;
    } catch (error) {
      this.status = error.status === 404 ? 'not-found' : 'failed';
      this.message = error.message;
      return;
    }
    this.loadViewer();
    if (this.session.price_paise > 0) this.loadRefundPolicy();
    this.reviews = reviewsOf(this.session.id);
    this.reviews.load();
    this.similar = similarTo(this.session.id);
    this.similar.load();
    if (this.user?.role === 'learner') sendView(this.session.id);
  },

  async loadViewer() {
    if (!this.session || !this.user || this.isOwner || this.user.role === 'admin') {
      this.viewer = null;
      this.viewerStatus = 'idle';
      return;
    }
    this.viewerStatus = this.viewer ? 'ready' : 'loading';
    try {
      this.viewer = await get(`/api/sessions/${this.session.id}/booking`, { auth: true });
      this.viewerStatus = 'ready';
      if (this.booking?.status === 'confirmed' && this.session.price_paise > 0 && !this.paid) {
        this.paid = await paymentFor(this.session.id).catch(() => null);
      }
    } catch (error) {
      this.viewerStatus = 'failed';
      this.message = error.message;
    }
  },

  async loadRefundPolicy() {
    try {
      this.refundPolicy = await get(withQuery('/api/payments/policy', { session_id: this.session.id }));
    } catch {
      this.refundPolicy = null; // the cancellation policy sentence below still says the rule
    }
  },

  async refresh() {
    try {
      this.session = await get(`/api/sessions/${this.session.id}`);
    } catch {
      // The panel below still refreshes; a stale seat count is corrected on the next load.
    }
    await this.loadViewer();
  },

  fail(error) {
    this.actionError = error.message;
    this.actionCode = error.code;
  },

  clearError() {
    this.actionError = '';
    this.actionCode = '';
  },

  async book() {
    this.clearError();
    this.busy = 'book';
    try {
      const booking = await post(`/api/sessions/${this.session.id}/book`, {}, { auth: true });
      this.viewer = { ...(this.viewer ?? {}), booking, waitlist: null };
      toast(booking.status === 'held' ? 'Seat held — complete payment before the timer runs out.' : "You're booked!", 'success');
      await this.refresh();
      this.similar.load(); // what they just booked leaves their picks
    } catch (error) {
      if (error.code === 'session_full') {
        this.session.seats_left = 0;
        this.actionError = 'That was the last seat. Join the waitlist and we’ll offer you the next one that frees up.';
        this.actionCode = error.code;
      } else if (error.code === 'already_booked') {
        await this.refresh();
      } else {
        this.fail(error);
      }
    } finally {
      this.busy = '';
    }
  },

  async cancelBooking() {
    this.clearError();
    const held = this.booking?.status === 'held';
    const ok = await confirmAction({
      title: held ? 'Release this seat?' : 'Cancel your booking?',
      message: held
        ? 'Your held seat goes back to other learners.'
        : `You'll lose your seat in “${this.session.title}”.`,
      details: held ? '' : this.policyText,
      confirmLabel: held ? 'Release seat' : 'Cancel booking',
      cancelLabel: 'Keep my seat',
      danger: true,
    });
    if (!ok) return;
    this.busy = 'cancel';
    try {
      await post(`/api/sessions/${this.session.id}/booking/cancel`, {}, { auth: true });
      toast(held ? 'Seat released.' : 'Your booking is cancelled.', 'success');
      await this.refresh();
      this.similar.load();
    } catch (error) {
      this.fail(error);
      if (error.code === 'cancellation_closed') await this.loadViewer();
    } finally {
      this.busy = '';
    }
  },

  async joinWaitlist() {
    this.clearError();
    this.busy = 'waitlist';
    try {
      const { position } = await post(`/api/sessions/${this.session.id}/waitlist`, {}, { auth: true });
      this.viewer = { ...(this.viewer ?? {}), waitlist: { position } };
      toast(`You're #${position} on the waitlist. We'll offer you a seat if one frees up.`, 'success');
    } catch (error) {
      this.fail(error);
    } finally {
      this.busy = '';
    }
  },

  async leaveWaitlist() {
    this.clearError();
    this.busy = 'leave';
    try {
      await del(`/api/sessions/${this.session.id}/waitlist`, { auth: true });
      this.viewer = { ...(this.viewer ?? {}), waitlist: null };
      toast("You've left the waitlist.");
    } catch (error) {
      this.fail(error);
    } finally {
      this.busy = '';
    }
  },

  async join() {
    this.clearError();
    this.busy = 'join';
    try {
      this.joinResult = await post(`/api/sessions/${this.session.id}/join`, {}, { auth: true });
      if (this.canEnterRoom) navigate(this.roomHref);
    } catch (error) {
      this.fail(error);
    } finally {
      this.busy = '';
    }
  },
});
