// /: a landing page when signed out; a welcome card with profile completeness when signed in.
import Alpine from '@alpinejs/csp';
import { completeness } from '../people.js';

export default () => ({
  get user() {
    return Alpine.store('session').user;
  },

  get firstName() {
    return this.user?.name?.split(' ')[0] ?? '';
  },

  get profile() {
    return this.user ? completeness(this.user) : { percent: 0, missing: [] };
  },
});
