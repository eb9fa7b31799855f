// Flags of `osusume bench`, validated with zod after commander has split them.

import { z } from 'zod';
import { parseOrThrow } from '../validate.js';

export const dataFormats = ['auto', 'triplets', 'lastfm360k', 'movielens', 'csv', 'mtx'] as const;

const positiveInteger = z.coerce.number().int().min(1);

const benchFlagsSchema = z
  .object({
    data: z.string().min(1).optional(),
    format: z.enum(dataFormats).default('auto'),
    train: z.string().min(1).optional(),
    test: z.string().min(1).optional(),
    syntheticScale: z.coerce.number().gt(0).max(1).default(1),
    factors: positiveInteger.max(1024).default(100),
    iterations: positiveInteger.max(1000).default(15),
    regularization: z.coerce.number().min(0).default(0.01),
    alpha: z.coerce.number().min(0).default(1),
    solver: z.enum(['cg', 'cholesky']).default('cg'),
    cgSteps: positiveInteger.max(100).default(3),
    weighting: z.enum(['bm25', 'tfidf', 'none']).default('none'),
    device: z.enum(['auto', 'cpu', 'webgpu']).default('auto'),
    threads: positiveInteger.max(256).optional(),
    k: positiveInteger.max(1000).default(10),
    seed: z.coerce.number().int().min(0).max(2 ** 32 - 1).default(1),
    testFraction: z.coerce.number().gt(0).lt(1).default(0.2),
    latencySamples: z.coerce.number().int().min(0).max(100_000).default(1000),
    json: z.string().min(1).optional(),
    loss: z.boolean().default(false),
    progress: z.boolean().default(true),
  })
  .strict()
  .superRefine((flags, context) => {
    if ((flags.train === undefined) !== (flags.test === undefined)) {
      context.addIssue({ code: 'custom', path: [flags.train === undefined ? 'train' : 'test'], message: 'expected --train and --test together' });
    }
    if (flags.data !== undefined && flags.train !== undefined) {
      context.addIssue({ code: 'custom', path: ['data'], message: 'expected either --data or --train/--test, not both' });
    }
  });

export type BenchFlags = z.output<typeof benchFlagsSchema>;

/** Converts a camelCase field name to its --kebab-case flag. */
export function flagName(field: string): string {
  return `--${field.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

/** Validates the flags commander collected; throws InputError naming the flag, value and allowed range. */
export function parseBenchFlags(raw: Record<string, unknown>): BenchFlags {
  return parseOrThrow(benchFlagsSchema, raw, 'bench flags', (path) => flagName(path));
}
