// Flags of `osusume bench`, validated with zod after commander has split them.

import { z } from 'zod';
import { parseOrThrow } from '../validate.js';
import { integerIn, modelFlagFields, numberIn } from './model-flags.js';

export const dataFormats = ['auto', 'triplets', 'lastfm360k', 'movielens', 'csv', 'mtx'] as const;

const benchFlagsSchema = z
  .object({
    data: z.string().min(1).optional(),
    format: z.enum(dataFormats).default('auto'),
    train: z.string().min(1).optional(),
    test: z.string().min(1).optional(),
    syntheticScale: numberIn(0, 1, false).optional(),
    ...modelFlagFields,
    weighting: z.enum(['bm25', 'tfidf', 'none']).default('none'),
    device: z.enum(['auto', 'cpu', 'webgpu']).default('auto'),
    threads: integerIn(1, 256).optional(),
    k: integerIn(1, 1000).default(10),
    seed: integerIn(0, 2 ** 32 - 1).default(1),
    testFraction: z.coerce.number({ error: 'expected a number above 0 and below 1' }).gt(0, { error: 'expected a number above 0 and below 1' }).lt(1, { error: 'expected a number above 0 and below 1' }).default(0.2),
    latencySamples: integerIn(0, 100_000).default(1000),
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
    if (flags.syntheticScale !== undefined && (flags.data !== undefined || flags.train !== undefined)) {
      context.addIssue({ code: 'custom', path: ['syntheticScale'], message: 'applies only to the synthetic set; drop it when --data or --train is given' });
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
