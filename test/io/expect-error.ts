// Assertions on the InputError a loader rejects with.

import { expect } from 'vitest';
import { InputError } from '../../src/errors.js';

/** Awaits `promise`, expecting InputError with `code` and exactly `message`; returns the error. */
export async function expectInputError(promise: Promise<unknown>, code: string, message: string): Promise<InputError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InputError);
  const error = caught as InputError;
  expect(error.message).toBe(message);
  expect(error.code).toBe(code);
  return error;
}
