// /my/sessions: a mentor's own sessions, upcoming or past: start and end them, edit or cancel them,
// see and manage who booked, and reply to reviews.
import Alpine from '@alpinejs/csp';
import { del, get, post, withQuery } from '../api.js';
import { REVIEW_TEXT_MAX, canStart, startText } from '../catalog.js';
import { confirmAction } from '../confirm.js';
import { plural } from '../format.js';
import { pageList } from '../paging.js';
import { toast } from '../toasts.js';

const PAGE_SIZE = 20;

const reviewsOf = (session) =>
  pageList((cursor) => get(withQuery(`/api/sessions/${session.id}/reviews`, { limit: PAGE_SIZE, cursor })), {
    key: (review) => review.learner.id,
    status: 'idle',
  });

const entryFor = (session) => ({
  session,
  panel: '', // '' | attendees | reviews
  busy: '', // start | end | cancel
  attendees: { status: 'idle', items: [], message: '', busy: '' },
  reviews: reviewsOf(session),
  reply: { learnerId: '', text: '', error: '', saving: false },
});

export default () => {
  const page = {
    replyMax: REVIEW_TEXT_MAX,

    init() {
      if (this.isMentor) this.list.load();
      this.$watch('$store.route.query', () => {
        if (Alpine.store('route').name === 'my-sessions' && this.isMentor) this.list.load();
      });
    },

    get isMentor() {
      return Alpine.store('session').user?.role === 'mentor';
    },

    startable(entry) {
      return canStart(entry.session, Alpine.store('clock').now);
    },

    startHint(entry) {
      return startText(entry.session, Alpine.store('clock').now);
    },

    get when() {
      return Alpine.store('route').query.when === 'past' ? 'past' : 'upcoming';
    },

    async transition(entry, action) {
      if (action === 'end') {
        const ok = await confirmAction({
          title: 'End this session?',
          message: `“${entry.session.title}” ends for everyone, and learners can then rate it.`,
          confirmLabel: 'End session',
          cancelLabel: 'Keep going',
        });
        if (!ok) return;
      }
      entry.busy = action;
      try {
        entry.session = await post(`/api/sessions/${entry.session.id}/${action}`, {}, { auth: true });
        toast(action === 'start' ? 'Your session is live.' : 'Session ended. Learners can now rate it.', 'success');
      } catch (error) {
        toast(error.message, 'error');
      } finally {
        entry.busy = '';
      }
    },

    async cancel(entry) {
      const booked = entry.session.booked_count;
      const ok = await confirmAction({
        title: 'Cancel this session?',
        message: `“${entry.session.title}” will be cancelled and taken off Discover.`,
        details: booked
          ? `Every booking is cancelled too: ${plural(booked, 'learner')} will be told, and paid seats are refunded in full.`
          : 'No one has booked it yet.',
        confirmLabel: 'Cancel session',
        cancelLabel: 'Keep session',
        danger: true,
      });
      if (!ok) return;
      entry.busy = 'cancel';
      try {
        entry.session = await del(`/api/sessions/${entry.session.id}`, { auth: true });
        toast(booked ? `Session cancelled; ${plural(booked, 'booking')} cancelled.` : 'Session cancelled.', 'success');
      } catch (error) {
        toast(error.message, 'error');
      } finally {
        entry.busy = '';
      }
    },

    toggle(entry, panel) {
      entry.panel = entry.panel === panel ? '' : panel;
      if (entry.panel === 'attendees') this.loadAttendees(entry);
      if (entry.panel === 'reviews' && entry.reviews.status !== 'ready') entry.reviews.load();
    },

    async loadAttendees(entry) {
      entry.attendees.status = 'loading';
      try {
        const { items } = await get(`/api/sessions/${entry.session.id}/attendees`, { auth: true });
        entry.attendees.items = items ?? [];
        entry.attendees.status = 'ready';
      } catch (error) {
        Object.assign(entry.attendees, { status: 'failed', message: error.message });
      }
    },

    async cancelAttendee(entry, attendee) {
      const ok = await confirmAction({
        title: `Cancel ${attendee.name}'s booking?`,
        message: `${attendee.name} loses their seat in “${entry.session.title}” and is told why it went.`,
        details: entry.session.price_paise > 0 ? 'A paid seat is refunded in full.' : '',
        confirmLabel: 'Cancel booking',
        cancelLabel: 'Keep booking',
        danger: true,
      });
      if (!ok) return;
      entry.attendees.busy = attendee.learner_id;
      try {
        await del(`/api/sessions/${entry.session.id}/bookings/${encodeURIComponent(attendee.learner_id)}`, { auth: true });
        attendee.status = 'cancelled';
        entry.session.booked_count = Math.max(0, entry.session.booked_count - 1);
        entry.session.seats_left = Math.min(entry.session.capacity, entry.session.seats_left + 1);
        toast(`${attendee.name}'s booking is cancelled.`, 'success');
      } catch (error) {
        toast(error.message, 'error');
      } finally {
        entry.attendees.busy = '';
      }
    },

    async markNoShow(entry, attendee) {
      const ok = await confirmAction({
        title: `Mark ${attendee.name} as a no-show?`,
        message: `Say this only if ${attendee.name} didn't join “${entry.session.title}”. They won't be able to rate it.`,
        confirmLabel: 'Mark no-show',
        cancelLabel: 'Keep as attended',
      });
      if (!ok) return;
      entry.attendees.busy = attendee.learner_id;
      try {
        await post(`/api/sessions/${entry.session.id}/bookings/${encodeURIComponent(attendee.learner_id)}/no-show`, {}, { auth: true });
        attendee.status = 'no_show';
        toast(`${attendee.name} is marked as a no-show.`, 'success');
      } catch (error) {
        toast(error.message, 'error');
      } finally {
        entry.attendees.busy = '';
      }
    },

    startReply(entry, review) {
      entry.reply = { learnerId: review.learner.id, text: '', error: '', saving: false };
      this.$nextTick(() => document.getElementById(`reply-${entry.session.id}-${review.learner.id}`)?.focus());
    },

    async sendReply(entry, review) {
      const text = entry.reply.text.trim();
      entry.reply.error = '';
      if (!text) {
        entry.reply.error = 'Write a reply first.';
        return;
      }
      if (text.length > REVIEW_TEXT_MAX) {
        entry.reply.error = `Keep your reply under ${REVIEW_TEXT_MAX} characters.`;
        return;
      }
      entry.reply.saving = true;
      try {
        const updated = await post(
          `/api/sessions/${entry.session.id}/reviews/${encodeURIComponent(review.learner.id)}/reply`,
          { text },
          { auth: true },
        );
        entry.reviews.items = entry.reviews.items.map((item) => (item.learner.id === review.learner.id ? updated : item));
        entry.reply = { learnerId: '', text: '', error: '', saving: false };
        toast('Reply posted.', 'success');
      } catch (error) {
        entry.reply.error = error.message;
        entry.reply.saving = false;
        if (error.code === 'already_replied') entry.reviews.load();
      }
    },
  };
  page.list = pageList((cursor) => get(withQuery('/api/me/sessions', { when: page.when, limit: PAGE_SIZE, cursor }), { auth: true }), {
    wrap: entryFor,
    key: (entry) => entry.session.id,
  });
  return page;
};
