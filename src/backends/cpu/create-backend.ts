// Factory of the CPU backend: sizes and starts the worker pool.

import { availableParallelism } from 'node:os';
import { InputError } from '../../errors.js';
import { silentLogger, type Logger } from '../../log.js';
import type { Backend } from '../backend.js';
import { CpuBackend } from './cpu-backend.js';
import { createWasmRuntime, wasmWorkerData, type KernelChoice } from './wasm-runtime.js';
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
   * With the WebAssembly kernels, a request of one query also runs on the calling thread unless this is
   * 0: their pruned top-N stops early on one shared threshold, which a split across workers would weaken.
   * It took 0.2 ms per query (median) on the full Last.fm-shaped benchmark in docs/cpu-performance.md.
   */
  inlineMaxWork?: number;
}

/**
 * Starts a CPU backend with a pool of worker threads sharing memory through SharedArrayBuffer. It runs
 * the WebAssembly SIMD kernels, or the TypeScript ones (with a `fallback` warning) when those cannot load.
 * Call dispose() when done; an undisposed idle pool does not keep the process alive.
 *
 * @example
 * const backend = await createCpuBackend({ threads: 2 });
 * try { ... } finally { await backend.dispose(); }
 */
export async function createCpuBackend(options: CpuBackendOptions = {}): Promise<Backend> {
  return startCpuBackend(options, 'auto');
}

/**
 * createCpuBackend with a choice of kernels. 'typescript' runs the plain TypeScript reference kernels
 * even where the WebAssembly ones load; tests and benchmarks compare the two this way.
 */
export async function startCpuBackend(options: CpuBackendOptions, kernels: KernelChoice): Promise<Backend> {
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
  const wasm = await createWasmRuntime(kernels, logger);
  const pool = await WorkerPool.start({ threads, logger, workerData: wasmWorkerData(wasm) });
  return new CpuBackend(pool, logger, inlineMaxWork, wasm);
}
