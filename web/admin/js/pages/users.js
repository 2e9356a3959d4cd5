// /admin/users: until the admin site exists, where an admin lands: search people by name or email
// (and role), open one, and ban or unban them with a reason (the admin users API, newest first).
import Alpine from '@alpinejs/csp';
import { del, get, put, withQuery } from '../../../src/js/api.js';
import { navigate } from '../../../src/js/router.js';
import { pageList } from '../../../src/js/paging.js';
import { toast } from '../../../src/js/toasts.js';

const PAGE_SIZE = 25;
export const REASON_MIN = 3;
export const REASON_MAX = 500;
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
    reasonMax: REASON_MAX,
    open: null, // { user, status, message, reason, error, saving } for the person being viewed

    init() {
      this.list.load();
      this.$watch('$store.route.query', (query) => {
        if (Alpine.store('route').name !== 'users') return;
        this.form = filtersFrom(query);
        this.open = null;
        this.list.load();
      });
    },

    search() {
      navigate(withQuery('/admin/users', { q: this.form.q.trim(), role: this.form.role }));
    },

    isOpen(user) {
      return this.open?.user.id === user.id;
    },

    async view(user) {
      if (this.isOpen(user)) {
        this.open = null;
        return;
      }
      this.open = { user, status: 'loading', message: '', reason: '', error: '', saving: false };
      try {
        const fresh = await get(`/api/admin/users/${encodeURIComponent(user.id)}`, { auth: true });
        if (this.open?.user.id !== user.id) return;
        Object.assign(this.open, { user: fresh, status: 'ready' });
        this.replace(fresh);
      } catch (error) {
        if (this.open?.user.id === user.id) Object.assign(this.open, { status: 'failed', message: error.message });
      }
    },

    replace(user) {
      this.list.items = this.list.items.map((item) => (item.id === user.id ? user : item));
    },

    /** Bans or unbans the open person; the reason is kept with the change. */
    async setBan() {
      const open = this.open;
      const reason = open.reason.trim();
      open.error = '';
      if (reason.length < REASON_MIN || reason.length > REASON_MAX) {
        open.error = `Give a reason of ${REASON_MIN} to ${REASON_MAX} characters; it is kept with the change.`;
        return;
      }
      const banning = !open.user.banned;
      const path = `/api/admin/users/${encodeURIComponent(open.user.id)}/ban`;
      open.saving = true;
      try {
        const user = banning ? await put(path, { reason }, { auth: true }) : await del(path, { auth: true }, { reason });
        Object.assign(open, { user, reason: '' });
        this.replace(user);
        toast(banning ? `${user.name} is banned and signed out.` : `${user.name} can sign in again.`, 'success');
      } catch (error) {
        open.error = error.message;
      } finally {
        open.saving = false;
      }
    },
  };
  page.list = pageList((cursor) =>
    get(withQuery('/api/admin/users', { q: page.form.q.trim(), role: page.form.role, limit: PAGE_SIZE, cursor }), { auth: true }),
  );
  return page;
};
