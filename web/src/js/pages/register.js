// /register: create a learner or mentor account; success asks the person to check their inbox.
// A learner may pick interests (popular topics as chips, or typed), so their first picks fit them.
import { get, post, withQuery } from '../api.js';
import { explainError } from '../forms.js';
import { passwordChecks, passwordProblem } from '../password.js';
import { STARTER_TAGS, hasTag, toggleTag, withTrending } from '../interests.js';

const FIELDS = ['name', 'email', 'password', 'role', 'headline', 'expertise', 'interests'];
const INTERESTS_MAX = 20; // the API's limit, as on the profile
const TRENDING_READ = 20;

export default () => ({
  form: { name: '', email: '', password: '', role: 'learner', headline: '', expertise: [], interests: [] },
  popular: STARTER_TAGS,
  submitting: false,
  errors: {},
  message: '',
  registeredEmail: '',

  init() {
    this.loadPopular();
  },

  /** The tags of what is trending now join the chips after the starter topics, so none shown moves. */
  async loadPopular() {
    try {
      const page = await get(withQuery('/api/recommendations/trending', { limit: TRENDING_READ }));
      this.popular = withTrending(this.popular, page.items ?? []);
    } catch {
      // The starter topics are a fine choice on their own.
    }
  },

  picked(tag) {
    return hasTag(this.form.interests, tag);
  },

  toggleInterest(tag) {
    this.form.interests = toggleTag(this.form.interests, tag, INTERESTS_MAX);
  },

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
    else if (this.form.interests.length) body.interests = this.form.interests;

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
