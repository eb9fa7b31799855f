// Errors about the content of a data file, all InputError `invalid_file` with `path:line` in front.

import { InputError } from '../errors.js';

/** Maximum characters of a bad value quoted in a message. The rest is elided. */
const MAX_QUOTED_CHARS = 80;

/** Returns InputError `invalid_file` whose message reads `path:line: problem`. */
export function lineError(path: string, lineNumber: number, problem: string, details: Record<string, unknown> = {}): InputError {
  const where = `${path}:${lineNumber}`;
  return new InputError('invalid_file', `${where}: ${problem}`, { where, line: lineNumber, ...details });
}

/** Returns InputError `invalid_file` about the file as a whole, whose message reads `path: problem`. */
export function fileError(path: string, problem: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }): InputError {
  return new InputError('invalid_file', `${path}: ${problem}`, { where: path, ...details }, options);
}

/** Returns why opening a file failed, in words for a message: "not found", "is a directory" or "cannot be opened (CODE)". */
export function describeOpenFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'not found';
  if (code === 'EISDIR') return 'is a directory';
  return `cannot be opened (${code ?? String(error)})`;
}

/** Quotes `text` for a message as JSON does, cutting it to a readable length. */
export function quote(text: string): string {
  return JSON.stringify(text.length > MAX_QUOTED_CHARS ? `${text.slice(0, MAX_QUOTED_CHARS)}...` : text);
}
