// Turns zod validation issues into InputError, so callers never see raw zod output.

import type { z } from 'zod';
import { InputError } from './errors.js';

function describeReceived(input: unknown, path: readonly PropertyKey[]): string {
  let value: unknown = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return 'missing';
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  if (value === undefined) return 'missing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/**
 * Parses `input` with `schema`. On failure throws InputError (code invalid_option) whose message names
 * each offending field as `context.field`, the value received and what was expected.
 * `nameField` maps a field path to the name the caller knows (for example a CLI flag).
 */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  input: unknown,
  context: string,
  nameField: (path: string) => string = (path) => (path === '' ? context : `${context}.${path}`),
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;

  const problems = result.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return `unknown ${issue.keys.length === 1 ? 'option' : 'options'} ${issue.keys.map((key) => nameField(key)).join(', ')}`;
    }
    const field = nameField(issue.path.map(String).join('.'));
    return `${field} is ${describeReceived(input, issue.path)}: ${issue.message.replace(/^Invalid input: /, '')}`;
  });
  const first = result.error.issues[0];
  throw new InputError('invalid_option', `invalid ${context}: ${problems.join('; ')}`, {
    where: first === undefined ? context : nameField(first.path.map(String).join('.')),
    issues: problems,
  });
}
