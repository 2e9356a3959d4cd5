// /users/<id>: anyone's public profile card.
import Alpine from '@alpinejs/csp';
import { get } from '../api.js';

export default () => ({
  status: 'loading', // loading | ready | not-found | failed
  person: null,
  message: '',

  /** The non-empty tag groups of the profile. */
  get groups() {
    const p = this.person ?? {};
    return [
      { title: 'Expertise', items: p.expertise },
      { title: 'Skills', items: p.skills },
      { title: 'Interests', items: p.interests },
      { title: 'Languages', items: p.languages },
    ].filter((group) => group.items && group.items.length);
  },

  get isMe() {
    return Alpine.store('session').user?.id === this.person?.id;
  },

  init() {
    this.load();
    // Going from one profile to another keeps this component; load the new one.
    this.$watch('$store.route.params.id', () => this.load());
  },

  async load() {
    const id = Alpine.store('route').params.id;
    if (!id) return;
    this.status = 'loading';
    try {
      this.person = await get(`/api/users/${encodeURIComponent(id)}`);
      this.status = 'ready';
      document.title = `${this.person.name} · PeerLearn`;
    } catch (error) {
      this.status = error.status === 404 ? 'not-found' : 'failed';
      this.message = error.message;
    }
  },
});
