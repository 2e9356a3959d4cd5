// /unsubscribe?token=...: the visible link in a notification email. Says what the link turns off,
// asks once, then POSTs the same one-click unsubscribe a mail client would (RFC 8058). Someone
// signed in to the same account can turn the emails back on from here.
import Alpine from '@alpinejs/csp';
import { get, post, put } from '../api.js';

const PROBLEMS = {
  missing: 'This link is missing its code. Open the unsubscribe link from your email again.',
  invalid_token: "This unsubscribe link isn't valid. It may have been copied incompletely.",
  not_found: 'This unsubscribe link belongs to an account that no longer exists.',
};

/** `a•••@example.com`, as the API masks an address (to tell whether the signed-in account is this one). */
export function maskEmail(email) {
  const at = String(email ?? '').indexOf('@');
  return at < 0 ? '•••' : `${email.slice(0, 1)}•••${email.slice(at)}`;
}

export default () => ({
  status: 'loading', // loading | confirm | working | done | resubscribed | failed
  category: '',
  label: '',
  email: '',
  subscribed: true,
  message: '',
  code: '',

  get token() {
    return Alpine.store('route').query.token ?? '';
  },

  get labelLower() {
    return this.label.toLowerCase();
  },

  get busy() {
    return this.status === 'working';
  },

  // Only the account the link belongs to may turn its emails back on (the preferences API acts on
  // whoever is signed in, so another account's session must not offer it).
  get canResubscribe() {
    const user = Alpine.store('session').user;
    return Boolean(user && maskEmail(user.email) === this.email);
  },

  async init() {
    if (!this.token) return this.fail('missing', PROBLEMS.missing);
    try {
      const found = await get(`/api/notifications/unsubscribe?token=${encodeURIComponent(this.token)}`);
      Object.assign(this, {
        category: found.category,
        label: found.label,
        email: found.email,
        subscribed: found.subscribed,
      });
      this.status = found.subscribed ? 'confirm' : 'done';
    } catch (error) {
      this.fail(error.code, PROBLEMS[error.code] ?? error.message);
    }
  },

  async stopEmails() {
    if (this.busy) return;
    this.status = 'working';
    this.message = '';
    try {
      await post(`/api/notifications/unsubscribe?token=${encodeURIComponent(this.token)}`, {});
      this.subscribed = false;
      this.status = 'done';
    } catch (error) {
      this.status = 'confirm';
      this.message = PROBLEMS[error.code] ?? error.message;
    }
  },

  async resubscribe() {
    if (this.busy) return;
    this.status = 'working';
    this.message = '';
    try {
      await put('/api/notifications/preferences', { channels: { [this.category]: { email: true } } }, { auth: true });
      this.subscribed = true;
      this.status = 'resubscribed';
    } catch (error) {
      this.status = 'done';
      this.message = error.message;
    }
  },

  fail(code, message) {
    this.status = 'failed';
    this.code = code;
    this.message = message;
  },
});
