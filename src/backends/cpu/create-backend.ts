// Factory of the CPU backend: sizes and starts the worker pool.

import { availableParallelism } from 'node:os';
import { InputError } from '../../errors.js';
import { silentLogger, type Logger } from '../../log.js';
import type { Backend } from '../backend.js';
import { CpuBackend } from './cpu-backend.js';
import { WorkerPool } from './worker-pool.js';

/**
 * Default for CpuBackendOptions.inlineMaxWork: about 0.25 million multiply-adds, a fraction of a
 * millisecond on one core, which is less than a worker round trip plus the copies it needs.
 */
export const DEFAULT_INLINE_MAX_WORK = 1 << 18;

/** Maximum accepted worker threads, a guard against typos such as threads: 10000. */
export const MAX_THREADS = 256;

export interface CpuBackendOptions {
  /** Worker threads; default os.availableParallelism(). */
  threads?: number;
  logger?: Logger;
  /**
   * Top-N requests with at most this many multiply-adds (queries x scored items x factors) run on the
   * calling thread instead of the workers. Default DEFAULT_INLINE_MAX_WORK; 0 always uses the workers.
   */
  inlineMaxWork?: number;
}

/**
 * Starts a CPU backend with a pool of worker threads sharing memory through SharedArrayBuffer.
 * Call dispose() when done; an undisposed idle pool does not keep the process alive.
 *
 * @example
 * const backend = await createCpuBackend({ threads: 2 });
 * try { ... } finally { await backend.dispose(); }
 */
export async function createCpuBackend(options: CpuBackendOptions = {}): Promise<Backend> {
  const threads = options.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new InputError('invalid_option', `threads is ${threads}; expected an integer from 1 to ${MAX_THREADS}`, {
      where: 'threads',
      expected: `integer from 1 to ${MAX_THREADS}`,
      received: String(threads),
    });
  }
  const inlineMaxWork = options.inlineMaxWork ?? DEFAULT_INLINE_MAX_WORK;
  const logger = options.logger ?? silentLogger;
  const pool = await WorkerPool.start({ threads, logger });
  return new CpuBackend(pool, logger, inlineMaxWork);
}
