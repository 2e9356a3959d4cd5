// Small helpers shared by the forms: turning an ApiError into a message under the field it names.

/**
 * Splits an API error into `{ errors: { field: message }, message }`: field errors go under the
 * field when the form has it, anything else becomes the form's message.
 */
export function explainError(error, fields) {
  if (error.field && fields.includes(error.field)) {
    return { errors: { [error.field]: error.message }, message: '' };
  }
  return { errors: {}, message: error.message };
}

/** "11:42" for a countdown. */
export function clockText(seconds) {
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${String(seconds % 60).padStart(2, '0')}`;
}
