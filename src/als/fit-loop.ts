// The ALS iteration loop, written once against the FitSession interface for every backend.

import type { FitSession, SolveParams } from '../backends/backend.js';
import type { Logger } from '../log.js';

/** Progress reported after each iteration. */
export interface IterationInfo {
  /** 0-based index of the iteration just finished. */
  iteration: number;
  /** Wall-clock seconds the iteration took, including the loss when it is computed. */
  seconds: number;
  /** Training loss after the iteration (see FitSession.loss), present when calculateTrainingLoss is on. */
  loss?: number;
}

export interface FitLoopOptions extends SolveParams {
  iterations: number;
  /** 0-based iteration to start from, when resuming a fit; default 0. */
  firstIteration?: number;
  /** Called after each iteration, before onIteration, with the iteration's 0-based index. */
  afterIteration?: (iteration: number) => Promise<void>;
  calculateTrainingLoss: boolean;
  logger: Logger;
  onIteration?: (info: IterationInfo) => void;
}

/**
 * Runs `iterations` ALS iterations on `session`. Each iteration solves every user row from the fixed
 * item factors, then every item row from the new user factors, the order `implicit` uses.
 * Returns the loss after each iteration run when calculateTrainingLoss is on, else an empty array.
 */
export async function runAlsIterations(session: FitSession, options: FitLoopOptions): Promise<number[]> {
  const { iterations, logger } = options;
  const params: SolveParams = { regularization: options.regularization, solver: options.solver, cgSteps: options.cgSteps };
  const losses: number[] = [];

  for (let iteration = options.firstIteration ?? 0; iteration < iterations; iteration++) {
    const started = performance.now();
    await session.solve('users', params);
    const usersDone = performance.now();
    await session.solve('items', params);
    const itemsDone = performance.now();

    let loss: number | undefined;
    if (options.calculateTrainingLoss) {
      loss = await session.loss(options.regularization);
      losses.push(loss);
      logger.info(`iteration ${iteration + 1}/${iterations}: training loss ${loss.toPrecision(6)}`);
    }
    await options.afterIteration?.(iteration);
    const seconds = (performance.now() - started) / 1000;
    logger.debug(`iteration ${iteration + 1}/${iterations} done`, {
      usersMs: usersDone - started,
      itemsMs: itemsDone - usersDone,
      lossMs: loss === undefined ? undefined : performance.now() - itemsDone,
      seconds,
    });
    options.onIteration?.({ iteration, seconds, loss });
  }
  return losses;
}
