// Zod schemas of the model options. Every public option is validated here, and failures become
// InputError (code invalid_option) through parseOrThrow, naming the option, the value and the range.

import { z } from 'zod';
import type { Backend } from './backends/backend.js';
import { MAX_THREADS } from './backends/cpu/create-backend.js';
import type { Logger, LogLevel } from './log.js';
import { parseOrThrow } from './validate.js';

/**
 * Largest accepted `factors`. Each solver thread keeps a factors x factors float64 system per row, and
 * the Cholesky solve costs factors^3 / 6 per row, so larger values would run for hours on real data.
 */
export const MAX_FACTORS = 1024;

function integerInRange(min: number, max: number) {
  const message = `expected an integer from ${min} to ${max}`;
  return z.int({ error: message }).min(min, { error: message }).max(max, { error: message });
}

function numberAtLeast(min: number) {
  const message = `expected a finite number >= ${min}`;
  return z.number({ error: message }).min(min, { error: message });
}

const isLogger = (value: unknown): value is Logger =>
  typeof value === 'object' &&
  value !== null &&
  ['debug', 'info', 'warn', 'error'].every((method) => typeof (value as Record<string, unknown>)[method] === 'function');

const isBackend = (value: unknown): value is Backend =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Record<string, unknown>).startFit === 'function' &&
  typeof (value as Record<string, unknown>).createScorer === 'function';

export const logLevelSchema = z.enum(['silent', 'error', 'warn', 'info', 'debug'] satisfies LogLevel[], {
  error: 'expected one of "silent", "error", "warn", "info", "debug"',
});

export const deviceSchema = z.enum(['auto', 'cpu', 'webgpu'], { error: 'expected one of "auto", "cpu", "webgpu"' });

/** Options of AlternatingLeastSquares; see AlsOptions for each field's meaning. */
export const alsOptionsSchema = z.strictObject({
  factors: integerInRange(1, MAX_FACTORS).default(100),
  regularization: numberAtLeast(0).default(0.01),
  alpha: numberAtLeast(0).default(1),
  iterations: integerInRange(0, 100_000).default(15),
  solver: z.enum(['cg', 'cholesky'], { error: 'expected one of "cg", "cholesky"' }).default('cg'),
  cgSteps: integerInRange(1, 1000).default(3),
  seed: integerInRange(0, 2 ** 32 - 1).optional(),
  threads: integerInRange(1, MAX_THREADS).optional(),
  device: deviceSchema.default('auto'),
  calculateTrainingLoss: z.boolean({ error: 'expected true or false' }).default(false),
  logger: z.custom<Logger>(isLogger, { error: 'expected an object with debug, info, warn and error methods' }).optional(),
  logLevel: logLevelSchema.optional(),
  backend: z.custom<Backend>(isBackend, { error: 'expected a Backend (from createCpuBackend or createWebGpuBackend)' }).optional(),
});

/**
 * Options of AlternatingLeastSquares (Hu, Koren and Volinsky 2008).
 *
 * - factors: latent factors per user and item, 1 to 1024, default 100.
 * - regularization: L2 penalty lambda on every factor row, >= 0, default 0.01 (not scaled by row length).
 * - alpha: confidence of a stored value r is 1 + alpha * r, >= 0, default 1.
 * - iterations: ALS iterations (a user half-step then an item half-step), default 15.
 * - solver: 'cg' (conjugate gradient, warm-started, `cgSteps` steps per row) or 'cholesky' (exact). Default 'cg'.
 * - cgSteps: CG steps per row and half-step, 1 to 1000, default 3.
 * - seed: uint32 seed of the initial factors; default a random seed, readable afterwards as model.seed.
 * - threads: CPU worker threads, default os.availableParallelism().
 * - device: 'auto' (WebGPU on a hardware adapter, else CPU with one warning), 'cpu' or 'webgpu'. Default 'auto'.
 * - calculateTrainingLoss: compute the training loss after every iteration (an extra pass), default false.
 * - logger / logLevel: where library messages go; default silent. A logger wins over logLevel.
 * - backend: a backend the caller created and disposes; when given, device and threads are ignored.
 */
export type AlsOptions = z.input<typeof alsOptionsSchema>;

/** AlsOptions with defaults filled in. */
export type ResolvedAlsOptions = z.output<typeof alsOptionsSchema>;

/** Validates ALS options and fills defaults; throws InputError (invalid_option) naming each bad option. */
export function parseAlsOptions(options: unknown): ResolvedAlsOptions {
  return parseOrThrow(alsOptionsSchema, options ?? {}, 'ALS options', (path) => (path === '' ? 'ALS options' : path));
}

// ---------------------------------------------------------------------------------------------
// Recommendation options
// ---------------------------------------------------------------------------------------------

/** Largest accepted `n`; the model also caps n at the number of items or users it can return. */
export const MAX_RESULTS = 1_000_000;

const externalIdSchema = z.union([z.string(), z.number()], { error: 'expected a string or number id' });
const idListSchema = z.array(externalIdSchema, { error: 'expected an array of string or number ids' });
const resultCountSchema = integerInRange(0, MAX_RESULTS).default(10);

/** A user's interactions given at query time: item ids (value 1) or [itemId, value] pairs. */
export const userItemsSchema = z.array(
  z.union([externalIdSchema, z.tuple([externalIdSchema, z.number()])], {
    error: 'expected an item id or an [itemId, value] pair with a finite value',
  }),
  { error: 'expected an array of item ids or [itemId, value] pairs' },
);

export const recommendOptionsSchema = z.strictObject({
  n: resultCountSchema,
  filterAlreadyLiked: z.boolean({ error: 'expected true or false' }).default(true),
  filterItems: idListSchema.optional(),
  items: idListSchema.optional(),
  recalculateUser: z.boolean({ error: 'expected true or false' }).default(false),
  userItems: userItemsSchema.optional(),
});

export const recommendBatchOptionsSchema = recommendOptionsSchema.omit({ recalculateUser: true, userItems: true });

export const similarItemsOptionsSchema = z.strictObject({
  n: resultCountSchema,
  filterItems: idListSchema.optional(),
  items: idListSchema.optional(),
});

export const similarUsersOptionsSchema = z.strictObject({
  n: resultCountSchema,
  filterUsers: idListSchema.optional(),
  users: idListSchema.optional(),
});

/**
 * Options of model.recommend:
 * - n: results, default 10, capped at the number of items.
 * - filterAlreadyLiked: leave out the user's items (the training row, or `userItems` when given). Default true.
 * - filterItems: item ids never to return. items: when given, rank only these item ids (both may be combined).
 * - recalculateUser: compute the user's factors from their items (fold-in) instead of using the fitted ones.
 * - userItems: the user's items for recalculateUser and filterAlreadyLiked; default the training row.
 */
export type RecommendOptions = z.input<typeof recommendOptionsSchema>;
export type RecommendBatchOptions = z.input<typeof recommendBatchOptionsSchema>;
export type SimilarItemsOptions = z.input<typeof similarItemsOptionsSchema>;
export type SimilarUsersOptions = z.input<typeof similarUsersOptionsSchema>;
export type UserItems = z.input<typeof userItemsSchema>;

/** Parses options of a recommendation call; throws InputError (invalid_option) naming each bad option. */
export function parseCallOptions<S extends z.ZodType>(schema: S, options: unknown, call: string): z.output<S> {
  return parseOrThrow(schema, options ?? {}, `${call} options`, (path) => (path === '' ? `${call} options` : path));
}
