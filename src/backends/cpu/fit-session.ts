// A fit on the CPU backend: CSR data and both factor matrices live in shared memory for the whole
// fit, and each half-step is split across the worker pool.

import { InputError, NumericError } from '../../errors.js';
import type { FitProblem, FitSession, Side, SolveParams } from '../backend.js';
import { warnOnce, type Logger } from '../../log.js';
import { ArenaFullError } from './arena.js';
import { splitGramBands, type RowFailure } from './kernels/index.js';
import type { FitBuffers, WasmFitScratch } from './messages.js';
import { countChunks, partitionRowsByNnz, splitEvenly } from './partition.js';
import { createArenaAllocator, createPlainAllocator, type LentArrays, type SharedAllocator } from './shared-memory.js';
import type { WasmRuntime } from './wasm-runtime.js';
import type { WorkerPool } from './worker-pool.js';

let nextSessionId = 1;

/** Checks that the problem's matrices and factor arrays agree in shape; throws InputError if not. */
function validateProblem(problem: FitProblem): void {
  const { userItems, itemUsers, factors, userFactors, itemFactors } = problem;
  const [nUsers, nItems] = userItems.shape;
  if (itemUsers.nRows !== nItems || itemUsers.nCols !== nUsers || itemUsers.nnz !== userItems.nnz) {
    throw new InputError(
      'csr_shape_mismatch',
      `itemUsers is ${itemUsers.nRows} x ${itemUsers.nCols} with ${itemUsers.nnz} values but userItems is ${nUsers} x ${nItems} with ${userItems.nnz}; pass userItems.transpose() as itemUsers`,
    );
  }
  if (!Number.isInteger(factors) || factors < 1) {
    throw new InputError('invalid_option', `factors is ${factors}; expected an integer >= 1`, { where: 'factors' });
  }
  if (userFactors.length !== nUsers * factors || itemFactors.length !== nItems * factors) {
    throw new InputError(
      'csr_shape_mismatch',
      `initial factors have ${userFactors.length} and ${itemFactors.length} values, expected nUsers x factors = ${nUsers * factors} and nItems x factors = ${nItems * factors}`,
    );
  }
}

/**
 * Copies the problem's CSR arrays and initial factors into shared arrays from `allocator`. Arrays
 * lent out by `lent` (built in the arena by the caller) are used in place, and stay the caller's.
 */
function allocateFitBuffers(allocator: SharedAllocator, problem: FitProblem, lent?: LentArrays): FitBuffers {
  const { userItems, itemUsers, factors } = problem;
  return {
    userIndptr: allocator.useOrCopy(Uint32Array, userItems.indptr, lent),
    userIndices: allocator.useOrCopy(Uint32Array, userItems.indices, lent),
    userData: allocator.useOrCopy(Float32Array, userItems.data, lent),
    itemIndptr: allocator.useOrCopy(Uint32Array, itemUsers.indptr, lent),
    itemIndices: allocator.useOrCopy(Uint32Array, itemUsers.indices, lent),
    itemData: allocator.useOrCopy(Float32Array, itemUsers.data, lent),
    userFactors: allocator.useOrCopy(Float32Array, problem.userFactors, lent),
    itemFactors: allocator.useOrCopy(Float32Array, problem.itemFactors, lent),
    gram: allocator.allocate(Float64Array, factors * factors),
    lossPartials: allocator.allocate(Float64Array, countChunks(userItems.nRows) * 3 + countChunks(userItems.nCols)),
  };
}

/** Allocates each worker's WebAssembly work space in the arena. */
function allocateWasmScratch(allocator: SharedAllocator, wasm: WasmRuntime, factors: number, workers: number): WasmFitScratch[] {
  const kernelBytes = Math.max(wasm.kernels.gramScratchBytes(factors), wasm.kernels.cgScratchBytes(factors));
  return Array.from({ length: workers }, () => ({
    gram: allocator.allocate(Float64Array, factors * factors),
    kernel: allocator.allocate(Float64Array, Math.ceil(kernelBytes / 8)),
  }));
}

/** A FitSession whose buffers are shared with every worker of `pool`. */
export class CpuFitSession implements FitSession {
  private readonly sessionId = nextSessionId++;
  private readonly nUsers: number;
  private readonly nItems: number;
  private readonly nnz: number;
  private readonly factors: number;
  private readonly rowBounds: Record<Side, Uint32Array>;
  private readonly gramBands: Uint32Array;
  private isDisposed = false;

  private constructor(
    private readonly pool: WorkerPool,
    private readonly buffers: FitBuffers,
    problem: FitProblem,
    private readonly logger: Logger,
    private readonly allocator: SharedAllocator,
    private readonly lent: LentArrays | undefined,
  ) {
    [this.nUsers, this.nItems] = problem.userItems.shape;
    this.nnz = problem.userItems.nnz;
    this.factors = problem.factors;
    // An estimate of each row's fixed cost, in stored values' worth of work. CG spends (1 + cgSteps)
    // factors^2 on Y^T Y products and 2 (1 + cgSteps) factors per stored value, a ratio of factors / 2.
    // Cholesky's factors^3 / 6 against factors^2 / 2 gives factors / 3.
    const rowWeight = this.factors / 2;
    this.rowBounds = {
      users: partitionRowsByNnz(buffers.userIndptr, this.nUsers, pool.size, rowWeight),
      items: partitionRowsByNnz(buffers.itemIndptr, this.nItems, pool.size, rowWeight),
    };
    this.gramBands = splitGramBands(this.factors, pool.size);
  }

  /**
   * Copies the problem into shared memory (the upload) and attaches it to every worker. With `wasm`,
   * the buffers go into its arena and the workers run the WebAssembly kernels; arrays of `lent` are
   * used in place. When the arena is full, the session falls back to plain shared memory and the
   * TypeScript kernels.
   */
  static async start(pool: WorkerPool, problem: FitProblem, logger: Logger, wasm?: WasmRuntime, lent?: LentArrays): Promise<CpuFitSession> {
    validateProblem(problem);
    const started = performance.now();
    let allocator = wasm === undefined ? createPlainAllocator() : createArenaAllocator(wasm.arena);
    let buffers: FitBuffers;
    let scratch: WasmFitScratch[] | undefined;
    try {
      buffers = allocateFitBuffers(allocator, problem, lent);
      if (wasm !== undefined) scratch = allocateWasmScratch(allocator, wasm, problem.factors, pool.size);
    } catch (error) {
      if (!(error instanceof ArenaFullError)) throw error;
      warnOnce(logger, 'fallback', `cpu backend: ${error.message}, so this fit uses the TypeScript kernels`);
      allocator.releaseAll();
      allocator = createPlainAllocator();
      buffers = allocateFitBuffers(allocator, problem);
      scratch = undefined;
    }

    const session = new CpuFitSession(pool, buffers, problem, logger, allocator, lent);
    await pool.runOnAll<'attachFit'>((index) => ({
      kind: 'attachFit',
      sessionId: session.sessionId,
      buffers,
      factors: problem.factors,
      nUsers: session.nUsers,
      nItems: session.nItems,
      scratch: scratch?.[index],
    }));
    logger.debug('cpu backend: uploaded fit data', {
      ms: performance.now() - started,
      users: session.nUsers,
      items: session.nItems,
      nnz: session.nnz,
      factors: problem.factors,
      kernels: scratch === undefined ? 'typescript' : 'wasm',
    });
    return session;
  }

  /**
   * Computes the Gram matrix of `side`'s factors into the shared gram buffer, one band per worker.
   * isFloat64Sum requests the float64 row-order sum, which CG (running in float32) does not need.
   */
  private async computeGram(side: Side, isFloat64Sum: boolean): Promise<void> {
    const bands = this.gramBands;
    await this.pool.runOnAll<'gram'>((index) => ({
      kind: 'gram',
      sessionId: this.sessionId,
      side,
      bandStart: bands[index],
      bandEnd: bands[index + 1],
      isFloat64Sum,
    }));
  }

  async solve(side: Side, params: SolveParams): Promise<void> {
    this.checkUsable();
    const started = performance.now();
    await this.computeGram(side === 'users' ? 'items' : 'users', params.solver !== 'cg');
    const gramDone = performance.now();

    const bounds = this.rowBounds[side];
    const failures = await this.pool.runOnAll<'solve'>((index) => ({
      kind: 'solve',
      sessionId: this.sessionId,
      side,
      rowStart: bounds[index],
      rowEnd: bounds[index + 1],
      regularization: params.regularization,
      solver: params.solver,
      cgSteps: params.cgSteps,
    }));
    // Workers cover ascending row ranges, so the first failure in worker order is the lowest row.
    const failure = failures.find((result): result is RowFailure => result !== null);
    if (failure !== undefined) throw rowFailureError(side, failure, params);

    this.logger.debug(`cpu backend: solved ${side}`, {
      gramMs: gramDone - started,
      solveMs: performance.now() - gramDone,
      solver: params.solver,
    });
  }

  async loss(regularization: number): Promise<number> {
    this.checkUsable();
    await this.computeGram('items', true);
    const userChunks = countChunks(this.nUsers);
    const itemChunks = countChunks(this.nItems);
    const userSplit = splitEvenly(userChunks, this.pool.size);
    const itemSplit = splitEvenly(itemChunks, this.pool.size);
    await this.pool.runOnAll<'loss'>((index) => ({
      kind: 'loss',
      sessionId: this.sessionId,
      userChunkStart: userSplit[index],
      userChunkEnd: userSplit[index + 1],
      itemChunkStart: itemSplit[index],
      itemChunkEnd: itemSplit[index + 1],
    }));

    // Add the partial sums in chunk order, so the result does not depend on the thread count.
    const partials = this.buffers.lossPartials;
    let squaredError = 0;
    let totalConfidence = 0;
    let userNorm = 0;
    let itemNorm = 0;
    for (let chunk = 0; chunk < userChunks; chunk++) {
      squaredError += partials[chunk * 3];
      totalConfidence += partials[chunk * 3 + 1];
      userNorm += partials[chunk * 3 + 2];
    }
    for (let chunk = 0; chunk < itemChunks; chunk++) itemNorm += partials[userChunks * 3 + chunk];

    const cells = totalConfidence + this.nUsers * this.nItems - this.nnz;
    return (squaredError + regularization * (userNorm + itemNorm)) / cells;
  }

  async readFactors(side: Side): Promise<Float32Array> {
    this.checkUsable();
    // slice() copies into a new, unshared buffer.
    return (side === 'users' ? this.buffers.userFactors : this.buffers.itemFactors).slice();
  }

  /**
   * Returns the factor matrix itself. A copy the session made in the arena is lent to the caller, who
   * frees it with CpuBackend.releaseFitArray, as it frees initial factors that were lent already.
   * Plain shared memory is left to the garbage collector.
   */
  takeFactors(side: Side): Float32Array {
    this.checkUsable();
    const factors = side === 'users' ? this.buffers.userFactors : this.buffers.itemFactors;
    if (this.allocator.isArena && this.lent !== undefined) this.allocator.lend(factors, this.lent);
    return factors;
  }

  async writeFactors(side: Side, factors: Float32Array): Promise<void> {
    this.checkUsable();
    const target = side === 'users' ? this.buffers.userFactors : this.buffers.itemFactors;
    if (factors.length !== target.length) {
      throw new InputError(
        'csr_shape_mismatch',
        `${side} factors have ${factors.length} values, expected ${target.length} (${target.length / this.factors} rows x ${this.factors} factors)`,
      );
    }
    target.set(factors);
  }

  async dispose(): Promise<void> {
    if (this.isDisposed) return;
    this.isDisposed = true;
    await this.pool.runOnAll<'detachFit'>(() => ({ kind: 'detachFit', sessionId: this.sessionId }));
    this.allocator.releaseAll();
  }

  private checkUsable(): void {
    if (this.isDisposed) throw new InputError('session_disposed', 'this fit session was disposed; start a new fit');
  }
}

/** Builds the NumericError for a failed row, naming it and the fix. */
function rowFailureError(side: Side, failure: RowFailure, params: SolveParams): NumericError {
  const rowName = `${side === 'users' ? 'user' : 'item'} row ${failure.row}`;
  const details = { where: rowName, side, row: failure.row, regularization: params.regularization, solver: params.solver };
  if (failure.reason === 'not_positive_definite') {
    return new NumericError(
      'not_positive_definite',
      `the Cholesky solve failed on ${rowName}: its normal equations are not positive definite with regularization ${params.regularization}; raise regularization above 0`,
      details,
    );
  }
  return new NumericError(
    'non_finite_factors',
    `the ${params.solver} solve produced non-finite factors for ${rowName} (regularization ${params.regularization}); raise regularization, or scale down extreme confidence values`,
    details,
  );
}
