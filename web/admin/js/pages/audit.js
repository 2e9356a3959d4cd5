// /admin/audit: the audit log, newest first: every admin action with who did it, to what, when, why
// and which fields changed. Filters (an admin, a target's id, an action) live in the query string;
// with an action each page reads a stretch of the log and shows its matches, so a page may show none
// and offer to look further. Nobody can edit the log: the page only reads.
import Alpine from '@alpinejs/csp';
import { get, withQuery } from '../../../src/js/api.js';
import { pageList } from '../../../src/js/paging.js';
import { navigate } from '../../../src/js/router.js';
import { ACTIONS, actionLabel, auditFilters, changedFields, targetHref } from '../audit.js';

const PAGE_SIZE = 50;

export default () => {
  let component = null; // the reactive page (init), so names that arrive later show
  const page = {
    form: auditFilters(Alpine.store('route').query),
    filters: auditFilters(Alpine.store('route').query),
    actions: [{ value: '', label: 'Any action' }, ...ACTIONS],
    admins: [], // { id, name } for the admin filter
    names: {}, // user id -> name, for actors and user targets

    init() {
      component = this;
      this.list.load();
      get(withQuery('/api/admin/users', { role: 'admin', limit: 100 }), { auth: true })
        .then((answer) => {
          this.admins = answer.items.map((admin) => ({ id: admin.id, name: admin.name }));
          for (const admin of this.admins) this.names[admin.id] = admin.name;
        })
        .catch(() => {});
      this.$watch('$store.route.query', (query) => {
        if (Alpine.store('route').name !== 'audit') return;
        this.form = auditFilters(query);
        this.filters = auditFilters(query);
        this.list.load();
      });
    },

    get filtered() {
      return Boolean(this.filters.actor || this.filters.target || this.filters.action);
    },

    apply() {
      navigate(withQuery('/admin/audit', auditFilters(this.form)));
    },

    clear() {
      navigate('/admin/audit');
    },

    /** Showing an admin's actions from an entry. */
    byActorHref(entry) {
      return withQuery('/admin/audit', { actor: entry.actor_id });
    },

    onTargetHref(entry) {
      return withQuery('/admin/audit', { target: entry.target_id });
    },

    label(entry) {
      return actionLabel(entry.action);
    },

    fields(entry) {
      return entry.action === 'user.update' ? changedFields(entry) : '';
    },

    actorName(entry) {
      return this.names[entry.actor_id] ?? 'An admin';
    },

    targetText(entry) {
      const name = entry.target_type === 'user' ? this.names[entry.target_id] : null;
      return name ?? `${entry.target_type.replace(/_/g, ' ')} ${entry.target_id}`;
    },

    targetPage(entry) {
      return targetHref(entry);
    },

    /** Names the people of newly loaded entries: one request per person, once. */
    name(entries) {
      const ids = new Set();
      for (const entry of entries) {
        ids.add(entry.actor_id);
        if (entry.target_type === 'user') ids.add(entry.target_id);
      }
      for (const id of ids) {
        if (id in this.names) continue;
        this.names[id] = undefined;
        get(`/api/admin/users/${encodeURIComponent(id)}`, { auth: true })
          .then((user) => (this.names[id] = user.name))
          .catch(() => {});
      }
    },
  };
  page.list = pageList(
    (cursor) => get(withQuery('/api/admin/audit', { ...page.filters, limit: PAGE_SIZE, cursor }), { auth: true }),
    { loaded: (entries) => component?.name(entries) },
  );
  return page;
};
