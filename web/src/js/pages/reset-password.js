// /reset-password?token=...: choose a new password with the token from the emailed link.
import Alpine from '@alpinejs/csp';
import { post } from '../api.js';
import { passwordChecks, passwordProblem } from '../password.js';

const LINK_PROBLEMS = {
  invalid_token: "This reset link isn't valid.",
  token_expired: 'This reset link has expired.',
  token_used: 'This reset link has already been used.',
};

export default () => ({
  token: Alpine.store('route').query.token || '',
  password: '',
  confirmation: '',
  submitting: false,
  done: false,
  linkProblem: '',
  errors: {},
  message: '',

  init() {
    if (!this.token) this.linkProblem = 'This link is missing its reset code.';
  },

  get checks() {
    return passwordChecks(this.password);
  },

  async submit() {
    this.message = '';
    this.errors = {};
    const passwordError = passwordProblem(this.checks);
    if (passwordError) this.errors.new_password = passwordError;
    else if (this.password !== this.confirmation) this.errors.confirmation = "The passwords don't match.";
    if (Object.keys(this.errors).length) return;

    this.submitting = true;
    try {
      await post('/api/auth/password-reset/confirm', { token: this.token, new_password: this.password });
      this.done = true;
    } catch (error) {
      if (LINK_PROBLEMS[error.code]) this.linkProblem = LINK_PROBLEMS[error.code];
      else if (error.code === 'weak_password' || error.field === 'new_password') this.errors.new_password = error.message;
      else this.message = error.message;
    } finally {
      this.submitting = false;
    }
  },
});
