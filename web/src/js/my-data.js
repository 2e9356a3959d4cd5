// Your data (profile page): downloading everything PeerLearn holds about you, and deleting your account.
// The pure parts (file name, what the delete form lacks) are tested by `npm test`.

export const CONFIRM_WORD = 'DELETE';

/** The download's file name: the API's Content-Disposition name when it sent one, else dated today. */
export function exportFileName(contentDisposition, today = new Date()) {
  const named = /filename="([^"]+)"/.exec(contentDisposition ?? '');
  if (named && /^[\w.-]+$/.test(named[1])) return named[1];
  return `peerlearn-data-${today.toISOString().slice(0, 10)}.json`;
}

/** What the delete form still needs, by field (empty when it can be sent). */
export function deletionProblems({ password, confirm }) {
  const problems = {};
  if (!password) problems.password = 'Enter your password.';
  if ((confirm ?? '').trim() !== CONFIRM_WORD) problems.confirm = `Type ${CONFIRM_WORD} in capitals to confirm.`;
  return problems;
}

/** Offers `text` as a file download (an object URL on a temporary link, released after the click). */
export function saveFile(text, name, type = 'application/json') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
