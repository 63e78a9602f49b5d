/**
 * The two kinds of failure a script can end with.
 *
 * - A user's mistake or the machine's state: a bad flag or environment
 *   variable, a missing or corrupt file, a missing library or display, training
 *   that diverges. The script prints one line that says what to fix and exits
 *   with code 1. Such errors are `UserError`s, or one of Deno's file-system
 *   errors that `isUserError()` accepts (`NotFound`, `PermissionDenied`, ...).
 *   A file whose contents break its format is a `FileFormatError`, which each
 *   parser throws at its boundary: a built-in `SyntaxError` is not taken for
 *   one, as it may as well be a bug of ours.
 * - Anything else is a bug of ours (a `TypeError`, an internal `RangeError`):
 *   the script keeps the stack trace and asks for a report.
 *
 * @module
 */

/** A failure the user can fix: shown as one line, without a stack trace. */
export class UserError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A file whose contents break its format (a bad IDX header, a CSV line that is
 * not a record, a model file that is not safetensors): the message names the
 * file and the place, e.g. "Cannot load train images 'x': magic is 0x00000000,
 * expected 0x00000803".
 */
export class FileFormatError extends UserError {}

/** Deno's errors about files, paths and permissions: the user's to fix. */
const FILE_ERRORS = [
  Deno.errors.NotFound,
  Deno.errors.PermissionDenied,
  Deno.errors.NotCapable,
  Deno.errors.AlreadyExists,
  Deno.errors.IsADirectory,
  Deno.errors.NotADirectory,
  Deno.errors.InvalidData,
  Deno.errors.UnexpectedEof,
  Deno.errors.FilesystemLoop,
];

/** True for errors that are the user's to fix (see the module comment). */
export function isUserError(e: unknown): boolean {
  return e instanceof UserError ||
    FILE_ERRORS.some((cls) => e instanceof cls);
}
