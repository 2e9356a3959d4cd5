// /login: email + password sign-in, with the lock-out countdown after too many attempts.
import Alpine from '@alpinejs/csp';
import { SUSPENDED_MESSAGE } from '../auth.js';
import { clockText, explainError, waitText } from '../forms.js';
import { navigate, safeNext } from '../router.js';
import { toast } from '../toasts.js';

// Kept for the tab so a reload doesn't hide the lock-out the server still enforces.
const LOCKED_UNTIL_KEY = 'peerlearn.login.lockedUntil';

export default () => ({
  email: '',
  password: '',
  submitting: false,
  errors: {},
  message: '',
  lockedUntil: Number(sessionStorage.getItem(LOCKED_UNTIL_KEY)) || 0,
  now: Date.now(),
  ticker: null,

  init() {
    this.startCountdown();
  },

  destroy() {
    clearInterval(this.ticker);
  },

  get lockedSeconds() {
    return Math.max(0, Math.ceil((this.lockedUntil - this.now) / 1000));
  },

  get lockoutText() {
    return `Too many sign-in attempts. Try again in ${waitText(this.lockedSeconds)}.`;
  },

  get countdown() {
    return clockText(this.lockedSeconds);
  },

  startCountdown() {
    clearInterval(this.ticker);
    this.now = Date.now();
    if (this.lockedSeconds === 0) return;
    this.ticker = setInterval(() => {
      this.now = Date.now();
      if (this.lockedSeconds === 0) {
        clearInterval(this.ticker);
        sessionStorage.removeItem(LOCKED_UNTIL_KEY);
      }
    }, 1000);
  },

  validate() {
    this.errors = {};
    if (!this.email.trim()) this.errors.email = 'Enter your email address.';
    if (!this.password) this.errors.password = 'Enter your password.';
    return Object.keys(this.errors).length === 0;
  },

  async submit() {
    this.message = '';
    if (this.lockedSeconds > 0 || !this.validate()) return;
    const next = safeNext(Alpine.store('route').query.next);
    this.submitting = true;
    try {
      await Alpine.store('session').login(this.email.trim(), this.password);
      const name = Alpine.store('session').user?.name?.split(' ')[0];
      navigate(next, { replace: true });
      toast(name ? `Welcome back, ${name}!` : 'Welcome back!', 'success');
    } catch (error) {
      this.password = '';
      if (error.status === 429) {
        this.lockedUntil = Date.now() + (error.retryAfterSeconds || 60) * 1000;
        sessionStorage.setItem(LOCKED_UNTIL_KEY, String(this.lockedUntil));
        this.startCountdown();
      } else if (error.status === 403) {
        this.message = SUSPENDED_MESSAGE;
      } else {
        ({ errors: this.errors, message: this.message } = explainError(error, ['email', 'password']));
      }
    } finally {
      this.submitting = false;
    }
  },
});
