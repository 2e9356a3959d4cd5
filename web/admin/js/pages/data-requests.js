// /admin/data-requests: people's data requests (downloads, account deletions), newest first. A
// deletion that waited for an admin (say, a withdrawal still to pay) says what it waits for; once
// that is settled the admin completes it here (confirmed; the API's refusal shown on the request,
// e.g. a withdrawal still open, or another admin who completed it first).
import Alpine from '@alpinejs/csp';
import { get, post, withQuery } from '../../../src/js/api.js';
import { confirmAction } from '../../../src/js/confirm.js';
import { toast } from '../../../src/js/toasts.js';

const LIMIT = 100;
export const DATA_REQUEST_TABS = [
  { value: 'waiting_admin', label: 'Waiting for an admin' },
  { value: 'completed', label: 'Completed' },
  { value: '', label: 'All' },
];
const KINDS = { export: 'Data download', deletion: 'Account deletion' };

/** ?status=completed, ?status=all, or nothing: those waiting (the list an admin acts on). */
const tabFrom = (query) => ({ completed: 'completed', all: '' })[query.status] ?? 'waiting_admin';

export default () => ({
  tabs: DATA_REQUEST_TABS,
  tab: tabFrom(Alpine.store('route').query),
  status: 'loading', // loading | ready | failed
  message: '',
  items: [],
  busy: '', // the id of the request being completed
  errors: {}, // request id -> the API's refusal
  request: 0,

  init() {
    this.load();
    this.$watch('$store.route.query', (query) => {
      if (Alpine.store('route').name !== 'data-requests') return;
      this.tab = tabFrom(query);
      this.load();
    });
  },

  async load() {
    const request = ++this.request;
    this.status = 'loading';
    this.errors = {};
    try {
      const answer = await get(withQuery('/api/admin/data-requests', { status: this.tab, limit: LIMIT }), { auth: true });
      if (request !== this.request) return;
      this.items = answer.items;
      this.status = 'ready';
    } catch (error) {
      if (request !== this.request) return;
      this.message = error.message;
      this.status = 'failed';
    }
  },

  tabHref(value) {
    return withQuery('/admin/data-requests', { status: value === 'waiting_admin' ? '' : value || 'all' });
  },

  isTab(value) {
    return this.tab === value;
  },

  kindLabel(item) {
    return KINDS[item.kind] ?? item.kind;
  },

  statusLabel(item) {
    return item.status === 'waiting_admin' ? 'Waiting for an admin' : 'Completed';
  },

  userHref(item) {
    return `/admin/users/${encodeURIComponent(item.user_id)}`;
  },

  completedByText(item) {
    if (!item.completed_at) return '';
    const by = item.completed_by === 'self' ? 'on its own' : 'by an admin';
    return `Completed ${by}`;
  },

  async complete(item) {
    const yes = await confirmAction({
      title: 'Complete this account deletion?',
      message: "Its personal data is erased now. Do this only once what it waited for is settled; the audit log records that you did.",
      details: item.waiting_for ? `It waited for: ${item.waiting_for}` : '',
      confirmLabel: 'Complete the deletion',
      danger: true,
    });
    if (!yes) return;
    this.busy = item.id;
    this.errors = { ...this.errors, [item.id]: '' };
    try {
      const done = await post(`/api/admin/data-requests/${encodeURIComponent(item.id)}/complete`, {}, { auth: true });
      this.items = this.tab === 'waiting_admin' ? this.items.filter((each) => each.id !== item.id) : this.items.map((each) => (each.id === item.id ? done : each));
      toast('The deletion is complete.', 'success');
    } catch (error) {
      this.errors = { ...this.errors, [item.id]: error.message };
    } finally {
      this.busy = '';
    }
  },
});
