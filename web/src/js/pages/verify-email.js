// /verify-email?token=...: posts the emailed token as soon as the page opens and shows the outcome.
import Alpine from '@alpinejs/csp';
import { post } from '../api.js';

const PROBLEMS = {
  invalid_token: "This verification link isn't valid. It may have been copied incompletely.",
  token_expired: 'This verification link has expired.',
  token_used: 'This verification link has already been used.',
};

export default () => ({
  status: 'loading', // loading | verified | failed
  message: '',
  code: '',

  get canResend() {
    const user = Alpine.store('session').user;
    return Boolean(user && !user.email_verified);
  },

  async init() {
    const token = Alpine.store('route').query.token;
    if (!token) return this.fail('missing', 'This link is missing its verification code. Open the link from your email again.');
    try {
      const { user } = await post('/api/auth/verify-email', { token });
      const session = Alpine.store('session');
      if (session.user && user && session.user.id === user.id) session.setUser(user);
      this.status = 'verified';
    } catch (error) {
      this.fail(error.code, PROBLEMS[error.code] ?? error.message);
    }
  },

  fail(code, message) {
    this.status = 'failed';
    this.code = code;
    this.message = message;
  },
});
