// zod schemas for the options of the split and metric functions, and the conversion of zod issues
// into InputError messages that name the option, the value received and the allowed range.

import { z } from 'zod';
import { InputError } from '../errors.js';

/** Largest seed that `Random` distinguishes: it keeps a 32-bit state. */
export const MAX_SEED = 0xffffffff;

/** Users per recommendIndices call when the caller gives no batchSize. */
export const DEFAULT_BATCH_SIZE = 1024;

/** Progress of an evaluation, counted in users that have at least one held-out item. */
export interface EvaluationProgress {
  done: number;
  total: number;
}

/** One option's schema together with the allowed values in words, for error messages. */
interface OptionSpec {
  schema: z.ZodType;
  expected: string;
}

const seedSpec = {
  schema: z.number().int().min(0).max(MAX_SEED),
  expected: `an integer from 0 to ${MAX_SEED}`,
} satisfies OptionSpec;

export const trainTestSplitSpecs = {
  testFraction: { schema: z.number().gt(0).lt(1).default(0.2), expected: 'a number greater than 0 and less than 1' },
  seed: seedSpec,
} satisfies Record<string, OptionSpec>;

export const leaveKOutSplitSpecs = {
  k: { schema: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).default(1), expected: 'an integer of at least 1' },
  trainOnlyFraction: {
    schema: z.number().min(0).lt(1).default(0),
    expected: 'a number from 0 (inclusive) to 1 (exclusive)',
  },
  seed: seedSpec,
} satisfies Record<string, OptionSpec>;

// The upper bounds of k and batchSize only catch typos: one call allocates batchSize x k ids.
export const rankingMetricsSpecs = {
  k: { schema: z.number().int().min(1).max(1_000_000).default(10), expected: 'an integer from 1 to 1000000' },
  batchSize: {
    schema: z.number().int().min(1).max(1_000_000).default(DEFAULT_BATCH_SIZE),
    expected: 'an integer from 1 to 1000000',
  },
  users: {
    schema: z.custom<Uint32Array>((value) => value instanceof Uint32Array).optional(),
    expected: 'a Uint32Array of user indices',
  },
  onProgress: {
    schema: z.custom<(progress: EvaluationProgress) => void>((value) => typeof value === 'function').optional(),
    expected: 'a function',
  },
} satisfies Record<string, OptionSpec>;

type OutputOf<Specs extends Record<string, OptionSpec>> = { [K in keyof Specs]: z.output<Specs[K]['schema']> };

/**
 * Parses `input` against `specs` as a strict object (unknown keys are rejected). On failure throws
 * InputError with code invalid_option, for example
 * "trainTestSplit: option testFraction is 1.5, expected a number greater than 0 and less than 1".
 */
export function parseOptions<Specs extends Record<string, OptionSpec>>(
  functionName: string,
  specs: Specs,
  input: unknown,
): OutputOf<Specs> {
  const shape = Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, spec.schema]));
  const result = z.strictObject(shape).safeParse(input ?? {});
  if (result.success) return result.data as OutputOf<Specs>;

  const problems: string[] = [];
  let where = functionName;
  let expected: string | undefined;
  let received: string | undefined;
  for (const issue of result.error.issues) {
    const name = issue.path.length > 0 ? String(issue.path[0]) : undefined;
    if (issue.code === 'unrecognized_keys') {
      problems.push(`unknown option ${issue.keys.join(', ')}; the options are ${Object.keys(specs).join(', ')}`);
      continue;
    }
    if (name === undefined || !(name in specs)) {
      problems.push(`options must be an object, received ${describeValue(input)}`);
      continue;
    }
    const value = describeValue((input as Record<string, unknown>)[name]);
    problems.push(`option ${name} is ${value}, expected ${specs[name].expected}`);
    if (expected === undefined) {
      where = `${functionName}.${name}`;
      expected = specs[name].expected;
      received = value;
    }
  }
  throw new InputError('invalid_option', `${functionName}: ${problems.join('; ')}`, { where, expected, received, problems });
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  return `a ${value.constructor?.name ?? 'object'}`;
}
