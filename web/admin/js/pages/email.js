// /admin/email: bulk email. An admin picks a segment (everyone, learners, mentors, a tag of interest,
// the inactive, one session's attendees), a template, writes the title and message (with
// {{first_name}}-style fields), previews the email one person would get with the audience's size,
// sends a test to themselves, confirms, and watches it go out: the list shows each one's progress
// (sent of total, failed) and polls while any is still sending.
import { get, post, withQuery } from '../../../src/js/api.js';
import {
  AUDIENCES,
  CHANNELS,
  LIMITS,
  MAX_INACTIVE_DAYS,
  audienceText,
  broadcastRequest,
  percent,
  progressText,
  sending,
} from '../../../src/js/broadcasts.js';
import { confirmAction } from '../../../src/js/confirm.js';
import { plural, whenText } from '../../../src/js/format.js';
import { pageList } from '../../../src/js/paging.js';
import { requestId as newRequestId } from '../../../src/js/payments.js';
import { toast } from '../../../src/js/toasts.js';

const POLL_MS = 1000;
// Used while the templates load (or if they don't): the plain announcement always exists.
const PLAIN = { name: 'announcement', label: 'Announcement', subject: '{{title}}', body: '{{body}}', fields: [] };
// The API's field names -> the form's.
const FORM_FIELDS = { session_id: 'session', tag: 'tag', inactive_days: 'inactiveDays', title: 'title', body: 'body', link: 'link', template: 'template' };

const blankForm = () => ({
  audience: 'everyone',
  session: '',
  tag: '',
  inactiveDays: '30',
  template: 'announcement',
  channels: 'email',
  title: '',
  body: '',
  link: '',
});

const idlePreview = () => ({ status: 'idle', message: '', size: 0, recipientName: '', subject: '', text: '' });

export default () => {
  // The page as Alpine made it reactive (set by init): the list's `loaded` hook must start the polling
  // through it, or the polls' answers change nothing on screen.
  let component = null;
  const page = {
    audiences: AUDIENCES,
    channels: CHANNELS,
    limits: LIMITS,
    maxInactiveDays: MAX_INACTIVE_DAYS,
    form: blankForm(),
    errors: {},
    templates: { status: 'loading', items: [PLAIN] },
    preview: idlePreview(),
    sending: false,
    testing: false,
    sendError: '',
    timer: null,
    // One per composed email: a retried or doubled send of the same one queues it once (the API
    // answers the broadcast it made); a new one after a send completes or the form changes.
    requestId: newRequestId(),

    init() {
      component = this;
      this.list.load();
      this.loadTemplates();
      // A preview shown is of the form as it was: any change makes it stale.
      this.$watch('form', () => {
        if (this.preview.status !== 'loading') this.preview = idlePreview();
        this.requestId = newRequestId();
      });
    },

    destroy() {
      clearTimeout(this.timer);
      this.timer = null;
    },

    async loadTemplates() {
      this.templates = { status: 'loading', items: this.templates.items };
      try {
        const { items } = await get('/api/admin/broadcasts/templates', { auth: true });
        this.templates = { status: 'ready', items };
      } catch {
        this.templates = { status: 'failed', items: [PLAIN] };
      }
    },

    templateHint() {
      const chosen = this.templates.items.find((t) => t.name === this.form.template) ?? PLAIN;
      const needs = chosen.fields.length ? ` Needs: ${chosen.fields.map((f) => `{{${f}}}`).join(', ')}.` : '';
      return `Subject: ${chosen.subject} · Message: ${chosen.body.replace(/\n+/g, ' ')}${needs}`;
    },

    itemSummary(item) {
      const how = item.channels === 'email' ? 'Email' : 'App, email and push';
      const audience = audienceText(item);
      return `${how} to ${audience} · ${whenText(item.created_at)}`;
    },

    statusLabel(item) {
      return { queued: 'Queued', sending: 'Sending', done: 'Sent' }[item.status] ?? item.status;
    },

    statusClass(item) {
      if (item.status === 'done') return item.failed ? 'bg-amber-100 text-amber-800' : 'bg-emerald-100 text-emerald-800';
      return 'bg-sky-100 text-sky-800';
    },

    audienceSizeText() {
      return plural(this.preview.size, 'person', 'people');
    },

    percent,
    progressText,

    /** The request, or null with the form's errors shown. */
    request() {
      this.sendError = '';
      const { request, errors } = broadcastRequest(this.form);
      this.errors = errors ?? {};
      return request ?? null;
    },

    /** Shows the API's refusal on its field when the form has one, else above the buttons. */
    refused(error, where = 'send') {
      const field = FORM_FIELDS[error.field];
      if (field) this.errors = { ...this.errors, [field]: error.message };
      else if (where === 'preview') this.preview = { ...idlePreview(), status: 'failed', message: error.message };
      else this.sendError = error.message;
    },

    async previewEmail() {
      const request = this.request();
      if (!request) return;
      this.preview = { ...idlePreview(), status: 'loading' };
      try {
        const shown = await post('/api/admin/broadcasts/preview', request, { auth: true });
        this.preview = {
          status: 'ready',
          message: '',
          size: shown.audience_size,
          recipientName: shown.recipient.name,
          subject: shown.subject,
          text: shown.text,
        };
      } catch (error) {
        this.preview = idlePreview();
        this.refused(error, 'preview');
      }
    },

    async sendTest() {
      const request = this.request();
      if (!request) return;
      this.testing = true;
      try {
        const sent = await post('/api/admin/broadcasts/test', request, { auth: true });
        toast(`Test sent to ${sent.to}.`, 'success');
      } catch (error) {
        this.refused(error);
      } finally {
        this.testing = false;
      }
    },

    /** Validates, asks for confirmation (naming the audience), then queues it. */
    async review() {
      const request = this.request();
      if (!request) return;
      const how = request.channels === 'all' ? 'in the app, by email and by push' : 'by email';
      const ok = await confirmAction({
        title: 'Send this now?',
        message: `“${request.title}” goes ${how} to ${audienceText(request)} now. It can't be recalled.`,
        confirmLabel: 'Send',
        cancelLabel: 'Not yet',
      });
      if (!ok) return;
      this.sending = true;
      try {
        const made = await post('/api/admin/broadcasts', { ...request, request_id: this.requestId }, { auth: true });
        this.list.items = [made, ...this.list.items.filter((item) => item.id !== made.id)];
        this.form = blankForm();
        this.requestId = newRequestId();
        this.preview = idlePreview();
        toast(progressText(made), 'success');
        this.watch();
      } catch (error) {
        this.refused(error);
      } finally {
        this.sending = false;
      }
    },

    /** Polls the ones still going out until all are sent. */
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
