// The CPU Backend: a worker pool plus the fit sessions and scorers that run on it.

import { InputError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Backend, BackendInfo, FitArray, FitArrayConstructor, FitProblem, FitSession, Scorer } from '../backend.js';
import { CpuFitSession } from './fit-session.js';
import { CpuScorer } from './scorer.js';
import { LentArrays } from './shared-memory.js';
import type { WasmRuntime } from './wasm-runtime.js';
import type { WorkerPool } from './worker-pool.js';

/** A Backend running the kernels on worker threads over shared memory. */
export class CpuBackend implements Backend {
  readonly info: BackendInfo;
  private readonly open = new Set<{ dispose(): Promise<void> }>();
  private isDisposed = false;
  /** Arena arrays held by the caller: fit input built in place and final factors; absent without the arena. */
  private readonly lent: LentArrays | undefined;

  constructor(
    private readonly pool: WorkerPool,
    private readonly logger: Logger,
    private readonly inlineMaxWork: number,
    private readonly wasm: WasmRuntime | undefined,
  ) {
    const threads = pool.size;
    this.info = { kind: 'cpu', description: `cpu: ${threads} worker thread${threads === 1 ? '' : 's'}`, threads };
    this.lent = wasm === undefined ? undefined : new LentArrays(wasm.arena);
  }

  /** Allocates in the WebAssembly arena, so startFit needs no copy; undefined without the arena or when it is full. */
  allocateFitArray<T extends FitArray>(type: FitArrayConstructor<T>, length: number): T | undefined {
    this.checkUsable();
    return this.lent?.allocate(type, length);
  }

  isFitArray(array: FitArray): boolean {
    return this.lent?.has(array) === true;
  }

  releaseFitArray(array: FitArray): void {
    this.lent?.release(array);
  }

  async startFit(problem: FitProblem): Promise<FitSession> {
    this.checkUsable();
    const session = await CpuFitSession.start(this.pool, problem, this.logger, this.wasm, this.lent);
    return this.track(session);
  }

  async createScorer(itemFactors: Float32Array, factors: number): Promise<Scorer> {
    this.checkUsable();
    if (!Number.isInteger(factors) || factors < 1 || itemFactors.length % factors !== 0) {
      throw new InputError(
        'csr_shape_mismatch',
        `item factors have ${itemFactors.length} values, which is not a whole number of rows of ${factors} factors; pass nItems x factors values row-major`,
      );
    }
    const scorer = await CpuScorer.create(this.pool, itemFactors, factors, { inlineMaxWork: this.inlineMaxWork, logger: this.logger, wasm: this.wasm, lent: this.lent });
    return this.track(scorer);
  }

  /** Terminates the workers. Sessions and scorers still open become unusable. Safe to call twice. */
  async dispose(): Promise<void> {
    if (this.isDisposed) return;
    this.isDisposed = true;
    this.open.clear();
    await this.pool.dispose();
  }

  /** Remembers an open session or scorer until it is disposed. */
  private track<T extends { dispose(): Promise<void> }>(resource: T): T {
    this.open.add(resource);
    const dispose = resource.dispose.bind(resource);
    resource.dispose = async () => {
      this.open.delete(resource);
      if (!this.isDisposed) await dispose();
    };
    return resource;
  }

  private checkUsable(): void {
    if (this.isDisposed) throw new InputError('backend_disposed', 'this CPU backend was disposed; create a new one with createCpuBackend');
  }
}
