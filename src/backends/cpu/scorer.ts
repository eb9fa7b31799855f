// Batched top-N scoring on the CPU backend. With the WebAssembly kernels, requests run the exact
// pruned kernel: one query on the calling thread, more split across the workers by queries. Without
// them, or for candidate lists, small requests run the plain kernel on the calling thread and larger
// ones are split across the workers by queries (many queries) or by items (few queries, then merged).

import { InputError } from '../../errors.js';
import { warnOnce, type Logger } from '../../log.js';
import type { Scorer, TopNRequest, TopNResult } from '../backend.js';
import { ArenaFullError } from './arena.js';
import {
  buildPrunedIndex,
  createTopNScratch,
  heapCapacity,
  isPrunable,
  mergeTopN,
  QUERY_BLOCK,
  runPrunedTopN,
  selectTopN,
  type PrunedItemIndex,
  type TopNScratch,
} from './kernels/index.js';
import type { TopNTask } from './messages.js';
import { splitEvenly } from './partition.js';
import { allocateShared, copyToShared, createArenaAllocator, createPlainAllocator, type LentArrays, type SharedAllocator } from './shared-memory.js';
import { normalizeTopNRequest, type NormalizedTopNRequest } from './top-n-request.js';
import type { WasmRuntime } from './wasm-runtime.js';
import type { WorkerPool } from './worker-pool.js';

let nextScorerId = 1;

export interface CpuScorerOptions {
  /**
   * Requests with at most this many multiply-adds (queries x scored items x factors) run on the
   * calling thread, where they finish before a round trip to a worker would. With the pruned kernel,
   * a single query also runs there unless this is 0.
   */
  inlineMaxWork: number;
  logger: Logger;
  wasm?: WasmRuntime;
  /**
   * The backend's lent arena arrays. Item factors that are one of them are scored in place instead of
   * copied. The scorer never frees them, so their holder must keep them until the scorer is disposed.
   */
  lent?: LentArrays;
}

type SharedRequestArrays = Pick<TopNTask, 'queries' | 'n' | 'excludeIndptr' | 'excludeIndices' | 'filterItems' | 'candidates'>;

/** A Scorer over item factors in shared memory. */
export class CpuScorer implements Scorer {
  readonly nItems: number;
  private readonly scorerId = nextScorerId++;
  private inlineScratch: TopNScratch | undefined;
  private isDisposed = false;

  private constructor(
    private readonly pool: WorkerPool,
    private readonly itemFactors: Float32Array,
    readonly factors: number,
    private readonly options: CpuScorerOptions,
    private readonly allocator: SharedAllocator,
    /** Present when the pruned WebAssembly kernel can rank these items. */
    private readonly pruned: PrunedItemIndex | undefined,
  ) {
    this.nItems = itemFactors.length / factors;
  }

  /**
   * Copies the item factors into shared memory (unless they are a lent arena array, used in place),
   * builds the pruning index and attaches both to every worker.
   */
  static async create(pool: WorkerPool, itemFactors: Float32Array, factors: number, options: CpuScorerOptions): Promise<CpuScorer> {
    const { wasm, logger, lent } = options;
    let allocator = wasm === undefined ? createPlainAllocator() : createArenaAllocator(wasm.arena);
    let items: Float32Array;
    let pruned: PrunedItemIndex | undefined;
    try {
      // A lent array stays out of this allocator, so releaseAll() on dispose leaves it to its holder.
      items = wasm !== undefined && lent?.has(itemFactors) === true ? itemFactors : allocator.copy(Float32Array, itemFactors);
      if (wasm !== undefined) pruned = buildPrunedIndex(wasm.kernels, allocator, items, factors);
    } catch (error) {
      if (!(error instanceof ArenaFullError)) throw error;
      allocator.releaseAll();
      warnOnce(logger, 'fallback', `cpu backend: ${error.message}, so this scorer uses the TypeScript kernels`);
      allocator = createPlainAllocator();
      items = allocator.copy(Float32Array, itemFactors);
      pruned = undefined;
    }

    const scorer = new CpuScorer(pool, items, factors, options, allocator, pruned);
    await pool.runOnAll<'attachScorer'>(() => ({ kind: 'attachScorer', scorerId: scorer.scorerId, itemFactors: items, factors, pruned }));
    return scorer;
  }

  async topN(request: TopNRequest): Promise<TopNResult> {
    if (this.isDisposed) throw new InputError('scorer_disposed', 'this scorer was disposed; create a new one with backend.createScorer');
    const normalized = normalizeTopNRequest(request, this.nItems, this.factors);
    const { nQueries, n, nPositions } = normalized;
    if (nQueries === 0 || n === 0) return { n, ids: new Int32Array(nQueries * n), scores: new Float32Array(nQueries * n) };

    const { pruned, options } = this;
    if (pruned !== undefined && options.wasm !== undefined && normalized.candidates === undefined && isPrunable(pruned, normalized.queries, this.factors)) {
      return this.topNPruned(normalized, pruned, options.wasm);
    }
    const work = nQueries * nPositions * this.factors;
    if (work <= options.inlineMaxWork) return this.topNInline(normalized);
    return nQueries >= this.pool.size * QUERY_BLOCK ? this.topNByQueries(normalized) : this.topNByItems(normalized);
  }

  /** Ranks with the pruned kernel: inline for one query or little work, else split by queries across the workers. */
  private async topNPruned(request: NormalizedTopNRequest, pruned: PrunedItemIndex, wasm: WasmRuntime): Promise<TopNResult> {
    const { nQueries, n } = request;
    const staging = createArenaAllocator(wasm.arena);
    try {
      const shared = this.shareRequest(request, staging);
      const outIds = staging.allocate(Int32Array, nQueries * n);
      const outScores = staging.allocate(Float32Array, nQueries * n);
      const capacity = Math.min(n, this.nItems);
      const { inlineMaxWork } = this.options;

      if (inlineMaxWork > 0 && (nQueries === 1 || nQueries * this.nItems * this.factors <= inlineMaxWork)) {
        const heap = { heapIds: staging.allocate(Int32Array, capacity), heapScores: staging.allocate(Float32Array, capacity) };
        runPrunedTopN(wasm.kernels, this.itemFactors, this.factors, pruned, { ...shared, ...heap, queryStart: 0, queryEnd: nQueries, outIds, outScores, outRow: 0 });
      } else {
        const heaps = () => ({ heapIds: staging.allocate(Int32Array, capacity), heapScores: staging.allocate(Float32Array, capacity) });
        await this.runQueryRanges(shared, nQueries, this.nItems, { outIds, outScores }, heaps);
      }
      // slice() copies into unshared buffers the caller owns.
      return { n, ids: outIds.slice(), scores: outScores.slice() };
    } finally {
      staging.releaseAll();
    }
  }

  private topNInline(request: NormalizedTopNRequest): TopNResult {
    const { nQueries, n, nPositions } = request;
    const ids = new Int32Array(nQueries * n);
    const scores = new Float32Array(nQueries * n);
    const range = { queryStart: 0, queryEnd: nQueries, positionStart: 0, positionEnd: nPositions };
    this.inlineScratch = createTopNScratch(heapCapacity(n, range), this.inlineScratch);
    selectTopN({ ...request, itemFactors: this.itemFactors, factors: this.factors }, range, { ids, scores, outRow: 0 }, this.inlineScratch);
    return { n, ids, scores };
  }

  /** Copies the request's arrays into shared memory once, for every worker to read. */
  private shareRequest(request: NormalizedTopNRequest, allocator?: SharedAllocator): SharedRequestArrays {
    const copy = <T extends Float32Array | Uint32Array>(type: { new (buffer: SharedArrayBuffer, byteOffset?: number, length?: number): T; BYTES_PER_ELEMENT: number }, values: T) =>
      allocator === undefined ? copyToShared(type, values) : allocator.copy(type, values);
    const share = (values: Uint32Array | undefined) => (values === undefined ? undefined : copy(Uint32Array, values));
    return {
      queries: copy(Float32Array, request.queries),
      n: request.n,
      excludeIndptr: share(request.excludeIndptr),
      excludeIndices: share(request.excludeIndices),
      filterItems: share(request.filterItems),
      candidates: share(request.candidates),
    };
  }

  /** Splits the queries into one contiguous range per worker, which ranks every item and writes straight into the result. */
  private async topNByQueries(request: NormalizedTopNRequest): Promise<TopNResult> {
    const { nQueries, n, nPositions } = request;
    const shared = this.shareRequest(request);
    const outIds = allocateShared(Int32Array, nQueries * n);
    const outScores = allocateShared(Float32Array, nQueries * n);
    await this.runQueryRanges(shared, nQueries, nPositions, { outIds, outScores });
    // slice() copies into unshared buffers the caller owns.
    return { n, ids: outIds.slice(), scores: outScores.slice() };
  }

  /**
   * Gives each worker one contiguous range of queries over positions [0, positionEnd), writing into the
   * shared result rows. `heaps` supplies each worker's heap arrays when the kernel needs them.
   */
  private async runQueryRanges(
    shared: SharedRequestArrays,
    nQueries: number,
    positionEnd: number,
    out: { outIds: Int32Array; outScores: Float32Array },
    heaps?: () => { heapIds: Int32Array; heapScores: Float32Array },
  ): Promise<void> {
    const bounds = splitEvenly(nQueries, this.pool.size);
    await this.pool.runOnAll<'topN'>((index) => ({
      kind: 'topN',
      scorerId: this.scorerId,
      task: {
        ...shared,
        ...out,
        ...heaps?.(),
        queryStart: bounds[index],
        queryEnd: bounds[index + 1],
        positionStart: 0,
        positionEnd,
        outRow: bounds[index],
      },
    }));
  }

  /** Splits the items into one contiguous range per worker, then merges the workers' partial lists. */
  private async topNByItems(request: NormalizedTopNRequest): Promise<TopNResult> {
    const { nQueries, n, nPositions } = request;
    const parts = this.pool.size;
    const shared = this.shareRequest(request);
    const partIds = allocateShared(Int32Array, parts * nQueries * n);
    const partScores = allocateShared(Float32Array, parts * nQueries * n);
    const bounds = splitEvenly(nPositions, parts);
    await this.pool.runOnAll<'topN'>((index) => ({
      kind: 'topN',
      scorerId: this.scorerId,
      task: {
        ...shared,
        queryStart: 0,
        queryEnd: nQueries,
        positionStart: bounds[index],
        positionEnd: bounds[index + 1],
        outIds: partIds,
        outScores: partScores,
        outRow: index * nQueries,
      },
    }));

    const ids = new Int32Array(nQueries * n);
    const scores = new Float32Array(nQueries * n);
    const capacity = Math.min(n, nPositions);
    const heap = { ids: new Int32Array(capacity), scores: new Float32Array(capacity) };
    mergeTopN({ ids: partIds, scores: partScores }, parts, nQueries, n, { ids, scores }, heap);
    return { n, ids, scores };
  }

  async dispose(): Promise<void> {
    if (this.isDisposed) return;
    this.isDisposed = true;
    await this.pool.runOnAll<'detachScorer'>(() => ({ kind: 'detachScorer', scorerId: this.scorerId }));
    this.allocator.releaseAll();
  }
}
