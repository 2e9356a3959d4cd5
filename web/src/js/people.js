// How a person is shown: initials for a missing avatar, join date, and profile completeness.

export function initials(name = '') {
  const words = name.trim().split(/\s+/).filter(Boolean);
  return ((words[0]?.[0] ?? '') + (words.length > 1 ? words[words.length - 1][0] : '')).toUpperCase() || '?';
}

export function joinedText(createdAt) {
  const date = new Date(createdAt);
  if (Number.isNaN(date.getTime())) return '';
  return `Joined ${date.toLocaleDateString('en-IN', { month: 'long', year: 'numeric' })}`;
}

export const ROLE_LABELS = { learner: 'Learner', mentor: 'Mentor', admin: 'Admin' };

const filled = (value) => (Array.isArray(value) ? value.length > 0 : Boolean(value && String(value).trim()));

/** The fields that make a profile complete, each with the next step that fills it. */
function profileFields(user) {
  if (user.role === 'mentor') {
    return [
      { key: 'avatar_url', step: 'Add a profile photo so learners recognise you' },
      { key: 'headline', step: 'Write a headline that says what you teach' },
      { key: 'bio', step: 'Tell learners what you have done in your bio' },
      { key: 'expertise', step: 'Add your areas of expertise' },
      { key: 'languages', step: 'Add the languages you can teach in' },
    ];
  }
  return [
    { key: 'avatar_url', step: 'Add a profile photo' },
    { key: 'headline', step: 'Write a one-line headline' },
    { key: 'bio', step: 'Tell people about yourself in your bio' },
    { key: 'skills', step: 'List a few skills' },
    { key: 'interests', step: 'Add what you want to learn' },
    { key: 'languages', step: 'Add the languages you speak' },
  ];
}

/** `{ percent, missing: [step] }` for the signed-in user's profile. */
export function completeness(user) {
  const fields = profileFields(user);
  const missing = fields.filter((field) => !filled(user[field.key])).map((field) => field.step);
  return { percent: Math.round((100 * (fields.length - missing.length)) / fields.length), missing };
}
