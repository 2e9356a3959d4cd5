// /admin/email (the broadcasts, until bulk email replaces them): an admin writes an announcement, picks who gets it (everyone, learners,
// mentors, one session's attendees), previews it, confirms, and watches it go out: the list of past
// broadcasts shows each one's progress and polls while any is still sending.
import { get, post, withQuery } from '../../../src/js/api.js';
import { AUDIENCES, LIMITS, broadcastRequest, percent, progressText, sending } from '../../../src/js/broadcasts.js';
import { confirmAction } from '../../../src/js/confirm.js';
import { pageList } from '../../../src/js/paging.js';
import { toast } from '../../../src/js/toasts.js';

const POLL_MS = 2000;

const blankForm = () => ({ audience: 'everyone', session: '', title: '', body: '', link: '' });

export default () => {
  // The page as Alpine made it reactive (set by init): the list's `loaded` hook must start the polling
  // through it. Through the plain object the polls' answers changed nothing on screen, and a list
  // answered after a new broadcast's POST took the polling over (its status stuck at "Queued").
  let component = null;
  const page = {
    audiences: AUDIENCES,
    limits: LIMITS,
    form: blankForm(),
    errors: {},
    sending: false,
    sendError: '',
    timer: null,

    init() {
      component = this;
      this.list.load();
    },

    destroy() {
      clearTimeout(this.timer);
      this.timer = null;
    },

    audienceLabel(item) {
      const label = AUDIENCES.find((a) => a.value === item.audience)?.label ?? item.audience;
      return item.audience === 'session' ? `${label} (${item.session_id})` : label;
    },

    statusLabel(item) {
      return { queued: 'Queued', sending: 'Sending', done: 'Sent' }[item.status] ?? item.status;
    },

    statusClass(item) {
      return item.status === 'done' ? 'bg-emerald-100 text-emerald-800' : 'bg-amber-100 text-amber-800';
    },

    percent,
    progressText,

    /** Validates, asks for confirmation (naming the audience), then queues it. */
    async review() {
      this.sendError = '';
      const { request, errors } = broadcastRequest(this.form);
      this.errors = errors ?? {};
      if (!request) return;
      const audience = AUDIENCES.find((a) => a.value === request.audience).label.toLowerCase();
      const ok = await confirmAction({
        title: 'Send this broadcast?',
        message: `“${request.title}” goes to ${audience === 'one session' ? "the session's attendees" : audience} now. It can't be recalled.`,
        confirmLabel: 'Send',
        cancelLabel: 'Not yet',
      });
      if (!ok) return;
      this.sending = true;
      try {
        const made = await post('/api/admin/broadcasts', request, { auth: true });
        this.list.items = [made, ...this.list.items.filter((item) => item.id !== made.id)];
        this.form = blankForm();
        toast(progressText(made), 'success');
        this.watch();
      } catch (error) {
        if (error.field === 'session_id') this.errors = { session: error.message };
        else this.sendError = error.message;
      } finally {
        this.sending = false;
      }
    },

    /** Polls the broadcasts still going out until all are sent. */
    watch() {
      clearTimeout(this.timer);
      if (!this.list.items.some(sending)) return;
      this.timer = setTimeout(() => this.poll(), POLL_MS);
    },

    async poll() {
      const going = this.list.items.filter(sending);
      await Promise.all(
        going.map(async (item) => {
          try {
            const fresh = await get(`/api/admin/broadcasts/${encodeURIComponent(item.id)}`, { auth: true });
            this.list.items = this.list.items.map((old) => (old.id === fresh.id ? fresh : old));
          } catch {
            // a missed poll is retried at the next one
          }
        }),
      );
      if (this.timer !== null) this.watch();
    },
  };
  page.list = pageList((cursor) => get(withQuery('/api/admin/broadcasts', { limit: 20, cursor }), { auth: true }), {
    loaded: () => component?.watch(),
  });
  return page;
};
