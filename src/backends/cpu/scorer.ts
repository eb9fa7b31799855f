// Batched top-N scoring on the CPU backend. Small requests run on the calling thread. Larger ones are
// split across the worker pool by queries (many queries) or by items (few queries, then merged).

import { InputError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Scorer, TopNRequest, TopNResult } from '../backend.js';
import { createTopNScratch, heapCapacity, mergeTopN, QUERY_BLOCK, selectTopN, type TopNScratch } from './kernels/index.js';
import type { TopNTask } from './messages.js';
import { splitEvenly } from './partition.js';
import { allocateShared, copyToShared } from './shared-memory.js';
import { normalizeTopNRequest, type NormalizedTopNRequest } from './top-n-request.js';
import type { WorkerPool } from './worker-pool.js';

let nextScorerId = 1;

export interface CpuScorerOptions {
  /**
   * Requests with at most this many multiply-adds (queries x scored items x factors) run on the
   * calling thread, where they finish before a round trip to a worker would.
   */
  inlineMaxWork: number;
  logger: Logger;
}

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
  ) {
    this.nItems = itemFactors.length / factors;
  }

  /** Copies the item factors into shared memory and attaches them to every worker. */
  static async create(pool: WorkerPool, itemFactors: Float32Array, factors: number, options: CpuScorerOptions): Promise<CpuScorer> {
    const scorer = new CpuScorer(pool, copyToShared(Float32Array, itemFactors), factors, options);
    await pool.runOnAll<'attachScorer'>(() => ({
      kind: 'attachScorer',
      scorerId: scorer.scorerId,
      itemFactors: scorer.itemFactors,
      factors,
    }));
    return scorer;
  }

  async topN(request: TopNRequest): Promise<TopNResult> {
    if (this.isDisposed) throw new InputError('scorer_disposed', 'this scorer was disposed; create a new one with backend.createScorer');
    const normalized = normalizeTopNRequest(request, this.nItems, this.factors);
    const { nQueries, n, nPositions } = normalized;
    if (nQueries === 0 || n === 0) return { n, ids: new Int32Array(nQueries * n), scores: new Float32Array(nQueries * n) };

    const work = nQueries * nPositions * this.factors;
    if (work <= this.options.inlineMaxWork) return this.topNInline(normalized);
    return nQueries >= this.pool.size * QUERY_BLOCK ? this.topNByQueries(normalized) : this.topNByItems(normalized);
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
  private shareRequest(request: NormalizedTopNRequest): Omit<TopNTask, 'queryStart' | 'queryEnd' | 'positionStart' | 'positionEnd' | 'outIds' | 'outScores' | 'outRow'> {
    const share = (values: Uint32Array | undefined) => (values === undefined ? undefined : copyToShared(Uint32Array, values));
    return {
      queries: copyToShared(Float32Array, request.queries),
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
    const bounds = splitEvenly(nQueries, this.pool.size);
    await this.pool.runOnAll<'topN'>((index) => ({
      kind: 'topN',
      scorerId: this.scorerId,
      task: {
        ...shared,
        queryStart: bounds[index],
        queryEnd: bounds[index + 1],
        positionStart: 0,
        positionEnd: nPositions,
        outIds,
        outScores,
        outRow: bounds[index],
      },
    }));
    // slice() copies into unshared buffers the caller owns.
    return { n, ids: outIds.slice(), scores: outScores.slice() };
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
  }
}
