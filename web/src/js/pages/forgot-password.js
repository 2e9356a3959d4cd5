// /forgot-password: asks for a reset link. The answer is the same whether or not the account exists.
import { post } from '../api.js';
import { explainError } from '../forms.js';

export default () => ({
  email: '',
  submitting: false,
  sent: false,
  errors: {},
  message: '',

  async submit() {
    this.message = '';
    this.errors = {};
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(this.email.trim())) {
      this.errors.email = 'Enter the email address you signed up with.';
      return;
    }
    this.submitting = true;
    try {
      await post('/api/auth/password-reset', { email: this.email.trim() });
      this.sent = true;
    } catch (error) {
      if (error.status === 429) {
        this.message = error.message; // says when, in local time (api.js)
      } else {
        ({ errors: this.errors, message: this.message } = explainError(error, ['email']));
      }
    } finally {
      this.submitting = false;
    }
  },
});
