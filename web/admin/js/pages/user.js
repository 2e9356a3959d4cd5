// /admin/users/:id: one account. Its details and state (banned, deactivated, unverified), the profile
// edit (name, headline, the picture removed), the access actions (ban / lift, deactivate / activate,
// verify the email, change the role: each with a reason where the API keeps one, each confirmed, the
// API's refusal shown where it was asked), and what admins did to this account (its audit entries).
import Alpine from '@alpinejs/csp';
import { ApiError, api, get, patch, withQuery } from '../../../src/js/api.js';
import { confirmAction } from '../../../src/js/confirm.js';
import { explainError } from '../../../src/js/forms.js';
import { pageList } from '../../../src/js/paging.js';
import { toast } from '../../../src/js/toasts.js';
import { actionLabel, changedFields, targetHref } from '../audit.js';
import { REASON_MAX, ROLES, USER_ACTIONS, accountState, actionsFor, formProblem } from '../user-actions.js';

const AUDIT_PAGE = 20;
const NAME_MAX = 80;
const HEADLINE_MAX = 120;

const blankEdit = (user) => ({
  name: user?.name ?? '',
  headline: user?.headline ?? '',
  reason: '',
  errors: {},
  message: '',
  saving: false,
});

export default () => {
  // The page as Alpine made it reactive (set by init): the audit list's `loaded` hook names the
  // entries' admins through it, so the names show when they arrive.
  let component = null;
  const page = {
    status: 'loading', // loading | ready | missing | failed
    message: '',
    user: null,
    edit: blankEdit(null),
    action: null, // { kind, reason, role, error, saving } while an action's form is open
    actors: {}, // admin id -> name, for the audit entries
    reasonMax: REASON_MAX,
    nameMax: NAME_MAX,
    headlineMax: HEADLINE_MAX,
    roles: ROLES,

    init() {
      component = this;
      this.load();
      this.$watch('$store.route.params', () => {
        if (Alpine.store('route').name === 'user' && this.id() !== this.user?.id) this.load();
      });
    },

    id() {
      return Alpine.store('route').params.id;
    },

    async load() {
      const id = this.id();
      this.status = 'loading';
      this.action = null;
      try {
        const user = await get(`/api/admin/users/${encodeURIComponent(id)}`, { auth: true });
        if (id !== this.id()) return;
        this.show(user);
        this.status = 'ready';
        this.audit.load();
      } catch (error) {
        if (id !== this.id()) return;
        this.status = error.status === 404 ? 'missing' : 'failed';
        this.message = error.message;
      }
    },

    show(user) {
      this.user = user;
      this.edit = blankEdit(user);
      document.title = `${user.name} · PeerLearn Admin`;
    },

    get state() {
      return accountState(this.user);
    },

    get actions() {
      return actionsFor(this.user, Alpine.store('session').user);
    },

    get isMe() {
      return this.user?.id === Alpine.store('session').user?.id;
    },

    actionLabel(kind) {
      return USER_ACTIONS[kind].label;
    },

    actionDanger(kind) {
      return Boolean(USER_ACTIONS[kind].danger);
    },

    isOpen(kind) {
      return this.action?.kind === kind;
    },

    open(kind) {
      if (this.isOpen(kind)) {
        this.action = null;
        return;
      }
      const role = ROLES.find((r) => r !== this.user.role) ?? ROLES[0];
      this.action = { kind, reason: '', role, error: '', saving: false };
      this.$nextTick(() => document.getElementById('user-action-reason')?.focus());
    },

    get reasonLabel() {
      return this.action ? USER_ACTIONS[this.action.kind].reasonLabel : '';
    },

    /** Checks the form, asks to confirm, calls the API; its refusal stays under the form. */
    async run() {
      const action = this.action;
      const spec = USER_ACTIONS[action.kind];
      const form = { reason: action.reason.trim(), role: action.role };
      action.error = formProblem(action.kind, this.user, form);
      if (action.error) return;
      if (!(await confirmAction({ ...spec.confirm(this.user, form), danger: Boolean(spec.danger) }))) return;
      const { method, path, body } = spec.request(this.user, form);
      action.saving = true;
      try {
        const answer = await api(method, path, body, { auth: true });
        const user = spec.reloads ? await api('GET', `/api/admin/users/${encodeURIComponent(this.user.id)}`, undefined, { auth: true }) : answer;
        this.show(user);
        this.action = null;
        toast(spec.done(user), 'success');
        this.audit.load();
      } catch (error) {
        action.error = error.message;
      } finally {
        action.saving = false;
      }
    },

    /** Only what changed is sent (an emptied headline is cleared: null). */
    changes() {
      const changes = {};
      const name = this.edit.name.trim();
      const headline = this.edit.headline.trim();
      if (name !== this.user.name) changes.name = name;
      if (headline !== (this.user.headline ?? '')) changes.headline = headline || null;
      return changes;
    },

    async save() {
      const edit = this.edit;
      edit.errors = {};
      edit.message = '';
      const changes = this.changes();
      if (!Object.keys(changes).length) {
        edit.message = 'Nothing has changed.';
        return;
      }
      if (!changes.name && 'name' in changes) {
        edit.errors = { name: 'Enter a name.' };
        return;
      }
      await this.patchProfile(changes, {
        title: `Save ${this.user.name}'s profile?`,
        message: `Changes ${Object.keys(changes).join(' and ')}; the audit log records which fields changed.`,
        confirmLabel: 'Save',
      });
    },

    async removePicture() {
      await this.patchProfile(
        { avatar_key: null },
        { title: `Remove ${this.user.name}'s picture?`, message: 'Their initials show instead.', confirmLabel: 'Remove', danger: true },
      );
    },

    async patchProfile(changes, question) {
      const edit = this.edit;
      const reason = edit.reason.trim();
      if (reason && reason.length < 3) {
        edit.errors = { reason: 'A reason, if you give one, needs at least 3 characters.' };
        return;
      }
      if (!(await confirmAction(question))) return;
      edit.saving = true;
      try {
        const user = await patch(`/api/admin/users/${encodeURIComponent(this.user.id)}`, reason ? { ...changes, reason } : changes, {
          auth: true,
        });
        this.show(user);
        toast(`${user.name}'s profile is saved.`, 'success');
        this.audit.load();
      } catch (error) {
        ({ errors: edit.errors, message: edit.message } = explainError(error, ['name', 'headline', 'reason']));
      } finally {
        edit.saving = false;
      }
    },

    publicHref() {
      return `/users/${encodeURIComponent(this.user.id)}`;
    },

    auditHref() {
      return withQuery('/admin/audit', { target: this.user.id });
    },

    // ---- the audit entries
    entryLabel(entry) {
      return actionLabel(entry.action);
    },

    entryFields(entry) {
      return entry.action === 'user.update' ? changedFields(entry) : '';
    },

    actorName(entry) {
      return this.actors[entry.actor_id] ?? 'an admin';
    },

    actorHref(entry) {
      return targetHref({ target_type: 'user', target_id: entry.actor_id });
    },

    /** Names the admins of newly loaded entries (one request per admin, once). */
    nameActors(entries) {
      for (const id of new Set(entries.map((entry) => entry.actor_id))) {
        if (id in this.actors) continue;
        this.actors[id] = id === Alpine.store('session').user?.id ? 'you' : 'an admin';
        get(`/api/admin/users/${encodeURIComponent(id)}`, { auth: true })
          .then((admin) => {
            if (id !== Alpine.store('session').user?.id) this.actors[id] = admin.name;
          })
          .catch(() => {});
      }
    },
  };
  page.audit = pageList(
    (cursor) => {
      if (!page.user) return Promise.reject(new ApiError(0, { message: 'No account loaded.' }));
      return get(withQuery('/api/admin/audit', { target: page.user.id, limit: AUDIT_PAGE, cursor }), { auth: true });
    },
    { status: 'idle', loaded: (entries) => component?.nameActors(entries) },
  );
  return page;
};
