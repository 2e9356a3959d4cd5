// /login: email + password sign-in, with the lock-out countdown after too many attempts.
import Alpine from '@alpinejs/csp';
import { SUSPENDED_MESSAGE } from '../auth.js';
import { explainError } from '../forms.js';
import { tryAgainText } from '../format.js';
import { navigate, safeNext } from '../router.js';
import { homeFor } from '../routes.js';
import { toast } from '../toasts.js';

// Kept for the tab so a reload doesn't hide the lock-out the server still enforces.
const LOCKED_UNTIL_KEY = 'peerlearn.login.lockedUntil';

/** "Welcome to PeerLearn, Asha!" the first time, "Welcome back, Asha!" after. */
export function welcomeText(user, first) {
  const name = user?.name?.split(' ')[0];
  if (first === true) return name ? `Welcome to PeerLearn, ${name}!` : 'Welcome to PeerLearn!';
  return name ? `Welcome back, ${name}!` : 'Welcome back!';
}

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

  /** "Too many sign-in attempts. Try again at 4:32 pm IST (in 7 minutes)." */
  get lockoutText() {
    return `Too many sign-in attempts. ${tryAgainText(new Date(this.lockedUntil), this.now)}.`;
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
    this.submitting = true;
    try {
      const { first_sign_in: first, user } = await Alpine.store('session').login(this.email.trim(), this.password);
      navigate(safeNext(Alpine.store('route').query.next, homeFor(user)), { replace: true });
      toast(welcomeText(user, first), 'success');
    } catch (error) {
      this.password = '';
      if (error.status === 429) {
        this.lockedUntil = error.retryAt.getTime();
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
