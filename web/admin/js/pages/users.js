// /admin/users: find people by name or email (and role), newest first, each linking to their page
// (/admin/users/:id), where an admin edits, bans, deactivates, verifies or changes a role. The
// filters live in the query string, so Back and a shared link keep them.
import Alpine from '@alpinejs/csp';
import { get, withQuery } from '../../../src/js/api.js';
import { pageList } from '../../../src/js/paging.js';
import { navigate } from '../../../src/js/router.js';

const PAGE_SIZE = 25;
const ROLES = [
  { value: '', label: 'Everyone' },
  { value: 'learner', label: 'Learners' },
  { value: 'mentor', label: 'Mentors' },
  { value: 'admin', label: 'Admins' },
];

const filtersFrom = (query) => ({ q: query.q ?? '', role: ROLES.some((r) => r.value === query.role) ? query.role : '' });

export default () => {
  const page = {
    form: filtersFrom(Alpine.store('route').query),
    roles: ROLES,

    init() {
      this.list.load();
      this.$watch('$store.route.query', (query) => {
        if (Alpine.store('route').name !== 'users') return;
        this.form = filtersFrom(query);
        this.list.load();
      });
    },

    search() {
      navigate(withQuery('/admin/users', { q: this.form.q.trim(), role: this.form.role }));
    },

    userHref(user) {
      return `/admin/users/${encodeURIComponent(user.id)}`;
    },
  };
  page.list = pageList((cursor) =>
    get(withQuery('/api/admin/users', { q: page.form.q.trim(), role: page.form.role, limit: PAGE_SIZE, cursor }), { auth: true }),
  );
  return page;
};
