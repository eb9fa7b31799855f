// Runs the ALS loop so that a lost GPU device does not lose the fit: factors are copied to the host
// every few iterations, and after a loss the fit goes on from that copy on a replacement backend.

import type { Backend, FitProblem, FitSession, Side } from '../backends/backend.js';
import { DeviceError } from '../errors.js';
import { warnOnce } from '../log.js';
import { runAlsIterations, type FitLoopOptions } from './fit-loop.js';

/** Iterations between host copies of the factors when recovery is on. */
export const DEFAULT_CHECKPOINT_EVERY = 5;

export interface RecoverableFitOptions {
  backend: Backend;
  problem: FitProblem;
  loop: FitLoopOptions;
  /**
   * Returns the backend to continue on after the device is lost (DeviceError code device_lost).
   * Without it a lost device fails the fit, and no host copies are made.
   */
  replaceBackend?: (error: DeviceError) => Promise<Backend>;
  /** Iterations between host copies of the factors; default DEFAULT_CHECKPOINT_EVERY. */
  checkpointEvery?: number;
}

export interface RecoverableFitResult {
  /** The backend the fit finished on: `backend`, or the replacement. */
  backend: Backend;
  losses: number[];
  /**
   * Final factors. They may live in backend memory (see FitSession.takeFactors), in which case the
   * caller frees them with `backend.releaseFitArray`.
   */
  userFactors: Float32Array;
  itemFactors: Float32Array;
}

interface Checkpoint {
  /** Iterations completed when the copy was taken. */
  iterations: number;
  userFactors: Float32Array;
  itemFactors: Float32Array;
}

/** Returns the final factors without a copy where the session can lend them, else a host copy. */
async function takeOrReadFactors(session: FitSession, side: Side): Promise<Float32Array> {
  return session.takeFactors?.(side) ?? session.readFactors(side);
}

function isDeviceLost(error: unknown): error is DeviceError {
  return error instanceof DeviceError && error.code === 'device_lost';
}

/**
 * Fits on `backend`. With `replaceBackend`, the factors are read back every `checkpointEvery`
 * iterations (one device-to-host copy of both matrices), and a device loss restarts the fit from the
 * last copy on the replacement backend, repeating at most `checkpointEvery` - 1 iterations.
 */
export async function runRecoverableFit(options: RecoverableFitOptions): Promise<RecoverableFitResult> {
  const { problem, loop, replaceBackend } = options;
  const checkpointEvery = options.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;
  let backend = options.backend;
  let checkpoint: Checkpoint = { iterations: 0, userFactors: problem.userFactors, itemFactors: problem.itemFactors };
  // Indexed by iteration, so iterations repeated after a recovery overwrite their earlier loss.
  const losses: number[] = [];
  const onIteration: FitLoopOptions['onIteration'] = (info) => {
    if (info.loss !== undefined) losses[info.iteration] = info.loss;
    loop.onIteration?.(info);
  };
  let session: FitSession = await backend.startFit(problem);

  for (;;) {
    try {
      const afterIteration = async (iteration: number): Promise<void> => {
        const done = iteration + 1;
        if (replaceBackend === undefined || done % checkpointEvery !== 0 || done === loop.iterations) return;
        checkpoint = { iterations: done, userFactors: await session.readFactors('users'), itemFactors: await session.readFactors('items') };
      };
      await runAlsIterations(session, { ...loop, firstIteration: checkpoint.iterations, afterIteration, onIteration });
      const userFactors = await takeOrReadFactors(session, 'users');
      const itemFactors = await takeOrReadFactors(session, 'items');
      await session.dispose();
      return { backend, losses, userFactors, itemFactors };
    } catch (error) {
      if (replaceBackend === undefined || !isDeviceLost(error)) {
        await session.dispose().catch(() => undefined);
        throw error;
      }
      // The lost session's buffers are gone; disposing it only releases host-side state.
      await session.dispose().catch(() => undefined);
      warnOnce(loop.logger, 'fallback', `${error.message}; the fit goes on from the factors after iteration ${checkpoint.iterations}`, { iterationsDone: checkpoint.iterations });
      backend = await replaceBackend(error);
      losses.length = Math.min(losses.length, checkpoint.iterations);
      session = await backend.startFit({ ...problem, userFactors: checkpoint.userFactors, itemFactors: checkpoint.itemFactors });
    }
  }
}
