// Flags that set ALS model options, shared by `osusume bench` and `osusume fit`: their zod schema
// fields, their commander options and the conversion to AlsOptions.

import type { Command } from 'commander';
import { Option } from 'commander';
import { z } from 'zod';

/** A decimal number as written on a command line: digits with an optional sign, point and exponent. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * Turns flag text into a number for the checks that follow. Number() would read '' and ' ' as 0 and
 * accept '0x10' or '0b1', so text that is not a plain decimal becomes NaN and fails every check.
 */
function decimalOrNaN(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return DECIMAL.test(value.trim()) ? Number(value) : Number.NaN;
}

/** Returns the schema of an integer flag in [min, max], with one message for every way it can be wrong. */
export function integerIn(min: number, max: number) {
  const error = `expected an integer from ${min} to ${max}`;
  return z.preprocess(decimalOrNaN, z.number({ error }).int({ error }).min(min, { error }).max(max, { error }));
}

/** Returns the schema of a number flag with an exclusive or inclusive lower bound and an inclusive upper bound. */
export function numberIn(min: number, max: number, minInclusive: boolean) {
  const lower = minInclusive ? `at least ${min}` : `above ${min}`;
  const error = max === Infinity ? `expected a number ${lower}` : `expected a number ${lower} and at most ${max}`;
  const base = z.number({ error }).max(max, { error });
  return z.preprocess(decimalOrNaN, minInclusive ? base.min(min, { error }) : base.gt(min, { error }));
}

/** zod fields of the model flags, with the library's defaults. */
export const modelFlagFields = {
  factors: integerIn(1, 1024).default(100),
  iterations: integerIn(1, 100_000).default(15),
  regularization: numberIn(0, Infinity, true).default(0.01),
  alpha: numberIn(0, Infinity, true).default(1),
  solver: z.enum(['cg', 'cholesky']).default('cg'),
  cgSteps: integerIn(1, 1000).default(3),
};

export interface ModelFlags {
  factors: number;
  iterations: number;
  regularization: number;
  alpha: number;
  solver: 'cg' | 'cholesky';
  cgSteps: number;
}

/** Adds --factors, --iterations, --regularization, --alpha, --solver and --cg-steps to `command`. */
export function addModelOptions(command: Command): Command {
  return command
    .option('--factors <n>', 'latent factors per user and item', '100')
    .option('--iterations <n>', 'ALS iterations', '15')
    .option('--regularization <lambda>', 'L2 penalty added to each row system', '0.01')
    .option('--alpha <alpha>', 'confidence = 1 + alpha * value', '1')
    .addOption(new Option('--solver <solver>', 'row solver').choices(['cg', 'cholesky']).default('cg'))
    .option('--cg-steps <n>', 'conjugate-gradient steps per row and iteration', '3');
}

/** Picks the model options out of validated flags. */
export function modelOptionsFrom(flags: ModelFlags): ModelFlags {
  return {
    factors: flags.factors,
    iterations: flags.iterations,
    regularization: flags.regularization,
    alpha: flags.alpha,
    solver: flags.solver,
    cgSteps: flags.cgSteps,
  };
}
