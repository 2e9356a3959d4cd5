// /register: create a learner or mentor account; success asks the person to check their inbox.
import { post } from '../api.js';
import { explainError } from '../forms.js';
import { passwordChecks, passwordProblem } from '../password.js';

const FIELDS = ['name', 'email', 'password', 'role', 'headline', 'expertise'];

export default () => ({
  form: { name: '', email: '', password: '', role: 'learner', headline: '', expertise: [] },
  submitting: false,
  errors: {},
  message: '',
  registeredEmail: '',

  get checks() {
    return passwordChecks(this.form.password, this.form.email);
  },

  get isMentor() {
    return this.form.role === 'mentor';
  },

  validate() {
    const { name, email, headline, expertise } = this.form;
    this.errors = {};
    if (!name.trim()) this.errors.name = 'Enter your name.';
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) this.errors.email = 'Enter a valid email address.';
    const passwordError = passwordProblem(this.checks);
    if (passwordError) this.errors.password = passwordError;
    if (this.isMentor && !headline.trim()) this.errors.headline = 'Add a headline so learners know what you teach.';
    if (this.isMentor && expertise.length === 0) this.errors.expertise = 'Add at least one area of expertise.';
    return Object.keys(this.errors).length === 0;
  },

  focusFirstError() {
    this.$nextTick(() => this.$root.querySelector('[aria-invalid="true"]')?.focus());
  },

  async submit() {
    this.message = '';
    if (!this.validate()) return this.focusFirstError();
    const { name, email, password, role, headline, expertise } = this.form;
    const body = { name: name.trim(), email: email.trim(), password, role };
    if (this.isMentor) Object.assign(body, { headline: headline.trim(), expertise });

    this.submitting = true;
    try {
      const { user } = await post('/api/auth/register', body);
      this.registeredEmail = user?.email ?? body.email;
    } catch (error) {
      ({ errors: this.errors, message: this.message } = explainError(error, FIELDS));
      this.focusFirstError();
    } finally {
      this.submitting = false;
    }
  },
});
