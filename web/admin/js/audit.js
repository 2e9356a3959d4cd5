// The audit log's words: an action's label, what an entry changed, and who/what it is about. Plain
// functions (web/test/admin-audit.test.mjs); the users and audit pages show entries with them.

/** Every action the API writes (grep `action=` under layers/peerlearn), in words. */
export const ACTIONS = [
  { value: 'user.update', label: 'Edited a profile' },
  { value: 'user.ban', label: 'Banned' },
  { value: 'user.unban', label: 'Lifted a ban' },
  { value: 'user.deactivate', label: 'Deactivated' },
  { value: 'user.activate', label: 'Activated' },
  { value: 'user.verify_email', label: 'Verified an email' },
  { value: 'user.role_change', label: 'Changed a role' },
  { value: 'payment.refund', label: 'Refunded a payment' },
  { value: 'withdrawal.approve', label: 'Approved a withdrawal' },
  { value: 'withdrawal.reject', label: 'Rejected a withdrawal' },
  { value: 'broadcast.send', label: 'Sent a broadcast' },
  { value: 'data_request.complete', label: 'Completed a data request' },
  { value: 'user.deletion', label: 'Deleted an account' },
  { value: 'session.end', label: 'Ended a session' },
  { value: 'session.observe', label: 'Observed a session' },
  { value: 'session.flag_resolve', label: 'Resolved a flag' },
];

const LABELS = Object.fromEntries(ACTIONS.map((action) => [action.value, action.label]));

/** "Banned"; an action this list doesn't know yet is shown as the API names it. */
export const actionLabel = (action) => LABELS[action] ?? action;

/**
 * The fields an entry changed, by name ("name, headline"): the list the log keeps of them
 * (`fields`; `after.changed` in early entries), else the names of its `after` (or `before`) values.
 * The page never shows the values themselves (people's data stays with them, and leaves with them).
 */
export function changedFields(entry) {
  if (Array.isArray(entry?.fields) && entry.fields.length) return entry.fields.map((f) => String(f).replace(/_/g, ' ')).join(', ');
  const values = entry?.after ?? entry?.before ?? {};
  const fields = Array.isArray(values.changed) ? values.changed : Object.keys(values);
  return fields.map((field) => String(field).replace(/_/g, ' ')).join(', ');
}

/** Where an entry's target lives on the admin site, when it has a page there. */
export function targetHref(entry) {
  if (entry.target_type === 'user') return `/admin/users/${encodeURIComponent(entry.target_id)}`;
  return null;
}

/** The audit page's filters from a query string: only ids and known actions. */
export function auditFilters(query = {}) {
  const id = (value) => (typeof value === 'string' && /^[\w-]{1,64}$/.test(value.trim()) ? value.trim() : '');
  return {
    actor: id(query.actor),
    target: id(query.target),
    action: ACTIONS.some((action) => action.value === query.action) ? query.action : '',
  };
}
