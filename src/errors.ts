// Error classes that every public call raises. Each carries a stable `code` and structured fields,
// so callers can branch on the code and show the message.

/** Fields shared by every osusume error. */
export interface ErrorDetails {
  /** Option, file:line, or id the error refers to. */
  where?: string;
  expected?: string;
  received?: string;
  [key: string]: unknown;
}

abstract class OsusumeError extends Error {
  readonly code: string;
  readonly details: ErrorDetails;

  constructor(code: string, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.details = details;
  }
}

/**
 * Invalid input from the caller: options, files, ids, shapes.
 * Codes include invalid_option, invalid_file, unknown_id, csr_shape_mismatch.
 */
export class InputError extends OsusumeError {
  override readonly name = 'InputError';
}

/** A compute device could not be acquired or failed: adapter_unavailable, device_lost, gpu_validation, gpu_out_of_memory. */
export class DeviceError extends OsusumeError {
  override readonly name = 'DeviceError';
}

/** A numeric failure in the math: non_finite_factors, not_positive_definite. */
export class NumericError extends OsusumeError {
  override readonly name = 'NumericError';
}

/** An internal bug: a broken invariant that no input should be able to cause. */
export class InvariantError extends Error {
  override readonly name = 'InvariantError';
}

/** Throws an InvariantError when `condition` is false. Use for internal bugs only, never for user input. */
export function invariant(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) {
    throw new InvariantError(typeof message === 'function' ? message() : message);
  }
}
