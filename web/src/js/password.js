// The password rule, mirrored from the API so people see what's missing while they type:
// 10+ characters, a letter, a digit or symbol, not the email's name part, not a common password.
const MIN_LENGTH = 10;

// The most common passwords long enough to pass the length rule; the API holds the full list.
const COMMON_PASSWORDS = new Set([
  '1234567890', '0123456789', '12345678910', '1234567891', '123456789a', 'password1', 'password12',
  'password123', 'password1234', 'password@123', 'passw0rd123', 'p@ssw0rd123', 'qwertyuiop', 'qwerty1234',
  'qwerty12345', 'qwerty@123', '1q2w3e4r5t', '1qaz2wsx3edc', 'iloveyou123', 'welcome123', 'welcome@123',
  'letmein123', 'admin12345', 'admin@1234', 'abcd@12345', 'abc1234567', 'india@1234', 'india12345',
  'sunshine123', 'football123', 'princess123', 'monkey12345', 'changeme123', 'peerlearn123',
]);

/** The checklist for `password`; pass the account's `email` (even while empty) to add its rule. */
export function passwordChecks(password = '', email = null) {
  const emailName = (email ?? '').split('@')[0].trim().toLowerCase();
  const lower = password.toLowerCase();
  const checks = [
    {
      id: 'length',
      label: `At least ${MIN_LENGTH} characters`,
      problem: `Use at least ${MIN_LENGTH} characters.`,
      ok: password.length >= MIN_LENGTH,
    },
    { id: 'letter', label: 'At least one letter', problem: 'Add at least one letter.', ok: /\p{L}/u.test(password) },
    {
      id: 'digit-or-symbol',
      label: 'At least one number or symbol',
      problem: 'Add at least one number or symbol.',
      ok: /[^\p{L}\s]/u.test(password),
    },
    {
      id: 'not-common',
      label: 'Not a common password',
      problem: 'This password is too common. Choose one that is harder to guess.',
      ok: password.length > 0 && !COMMON_PASSWORDS.has(lower),
    },
  ];
  if (email !== null) {
    checks.splice(3, 0, {
      id: 'not-email',
      label: "Doesn't contain the first part of your email",
      problem: "Don't use the first part of your email address in your password.",
      ok: password.length > 0 && (emailName.length < 3 || !lower.includes(emailName)),
    });
  }
  return checks;
}

/** The first unmet rule as a sentence for under the field, or '' when the password passes. */
export function passwordProblem(checks) {
  const failed = checks.find((check) => !check.ok);
  return failed ? failed.problem : '';
}
