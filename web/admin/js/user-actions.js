// What an admin can do to an account (the admin users API), as data: each action's request, whether
// it needs a reason, its confirmation and the words after it. Plain (web/test/admin-users.test.mjs).

export const REASON_MIN = 3; // the API's Reason: 3 to 500 characters, kept in the audit log
export const REASON_MAX = 500;

const base = (user) => `/api/admin/users/${encodeURIComponent(user.id)}`;

export const USER_ACTIONS = {
  ban: {
    label: 'Ban',
    reasonLabel: 'Why ban this person?',
    reason: 'required',
    danger: true,
    request: (user, form) => ({ method: 'PUT', path: `${base(user)}/ban`, body: { reason: form.reason } }),
    confirm: (user) => ({
      title: `Ban ${user.name}?`,
      message: "They are signed out everywhere at once and can't sign in or use PeerLearn until the ban is lifted.",
      confirmLabel: 'Ban and sign out',
    }),
    done: (user) => `${user.name} is banned and signed out.`,
  },
  unban: {
    label: 'Lift the ban',
    reasonLabel: 'Why lift the ban?',
    reason: 'required',
    request: (user, form) => ({ method: 'DELETE', path: `${base(user)}/ban`, body: { reason: form.reason } }),
    confirm: (user) => ({ title: `Lift ${user.name}'s ban?`, message: 'They can sign in again.', confirmLabel: 'Lift the ban' }),
    done: (user) => `${user.name} can sign in again.`,
  },
  deactivate: {
    label: 'Deactivate',
    reasonLabel: 'Why deactivate this account?',
    reason: 'required',
    danger: true,
    request: (user, form) => ({ method: 'POST', path: `${base(user)}/deactivate`, body: { reason: form.reason } }),
    confirm: (user) => ({
      title: `Deactivate ${user.name}'s account?`,
      message: "They are signed out everywhere and can't sign in until it is activated again; they are told it was deactivated.",
      confirmLabel: 'Deactivate',
    }),
    done: (user) => `${user.name}'s account is deactivated.`,
  },
  activate: {
    label: 'Activate',
    reasonLabel: 'Why activate this account again?',
    reason: 'required',
    request: (user, form) => ({ method: 'POST', path: `${base(user)}/activate`, body: { reason: form.reason } }),
    confirm: (user) => ({ title: `Activate ${user.name}'s account?`, message: 'They can sign in again.', confirmLabel: 'Activate' }),
    done: (user) => `${user.name}'s account is active again.`,
  },
  verify: {
    label: 'Mark email verified',
    reasonLabel: 'Why (optional)?',
    reason: 'optional',
    request: (user, form) => ({ method: 'POST', path: `${base(user)}/verify`, body: form.reason ? { reason: form.reason } : {} }),
    confirm: (user) => ({
      title: `Mark ${user.email} verified?`,
      message: 'They can book and publish sessions without following the emailed link.',
      confirmLabel: 'Mark verified',
    }),
    done: (user) => `${user.email} is verified.`,
  },
  role: {
    label: 'Change role',
    reasonLabel: 'Why change the role?',
    reason: 'required',
    request: (user, form) => ({ method: 'PUT', path: `${base(user)}/role`, body: { role: form.role, reason: form.reason } }),
    confirm: (user, form) => ({
      title: `Make ${user.name} a ${form.role}?`,
      message: form.role === 'mentor' ? 'They can publish sessions and be paid.' : 'They can no longer publish sessions.',
      confirmLabel: `Make them a ${form.role}`,
    }),
    done: (user) => `${user.name} is now a ${user.role}.`,
  },
  delete: {
    label: 'Delete account',
    reasonLabel: 'Why delete this account (e.g. the ticket where they asked)?',
    reason: 'required',
    danger: true,
    // The answer is the deletion's record, not the account: the page reads the account again.
    reloads: true,
    request: (user, form) => ({ method: 'POST', path: `${base(user)}/delete`, body: { reason: form.reason, confirm: 'DELETE' } }),
    confirm: (user) => ({
      title: `Delete ${user.name}'s account for them?`,
      message:
        'Their personal data is erased, their future bookings and sessions are cancelled and refunded, and payments are kept without their name. This cannot be undone.',
      confirmLabel: 'Delete the account',
    }),
    done: () => 'The account is deleted.',
  },
};

/** The roles an admin may give (admins are made by the operator only). */
export const ROLES = ['learner', 'mentor'];

/** The actions open for `user` right now, in the order the page offers them. */
export function actionsFor(user, me) {
  if (user?.deleted) return [];
  if (!user || user.role === 'admin' || user.id === me?.id) return user && !user.email_verified ? ['verify'] : [];
  const actions = [];
  if (!user.email_verified) actions.push('verify');
  actions.push(user.banned ? 'unban' : 'ban');
  actions.push(user.deactivated ? 'activate' : 'deactivate');
  actions.push('role');
  actions.push('delete');
  return actions;
}

/** The form's problem before anything is sent ('' when none): the reason's length, a new role. */
export function formProblem(kind, user, form) {
  const action = USER_ACTIONS[kind];
  const reason = (form.reason ?? '').trim();
  const needed = action.reason === 'required' || reason.length > 0;
  if (needed && (reason.length < REASON_MIN || reason.length > REASON_MAX)) {
    return `Give a reason of ${REASON_MIN} to ${REASON_MAX} characters; it is kept in the audit log.`;
  }
  if (kind === 'role' && (!ROLES.includes(form.role) || form.role === user.role)) return `Choose a role other than ${user.role}.`;
  return '';
}

/** "Banned 3 Nov: Spam" etc.: the account's state in words, most serious first. */
export function accountState(user) {
  if (user.deleted) return 'deleted';
  if (user.banned) return 'banned';
  if (user.deactivated) return 'deactivated';
  return 'active';
}
