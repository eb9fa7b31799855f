// Micro-batching of top-N requests. Queries that arrive within a short window, or while a batch is
// being scored, go to the backend as one scoring call. That call ranks every item for all of them
// in one pass over the item factors.

import type { TopNRequest, TopNResult } from '../backends/backend.js';

export interface BatcherOptions {
  /** How long the first request of an idle batcher waits for others, in milliseconds. Default 1. */
  windowMs?: number;
  /** Queries per scoring call at most. Default 256. */
  maxBatch?: number;
  /** Requests waiting or being scored at most; more are rejected with OverloadError. Default 256. */
  maxQueue?: number;
  /** Retry-After value sent with each rejection, in seconds. Default 1. */
  retryAfterSeconds?: number;
}

/** Error for a full queue. A server responds with 503 and Retry-After. */
export class OverloadError extends Error {
  override readonly name = 'OverloadError';
  constructor(
    readonly queued: number,
    readonly retryAfterSeconds: number,
  ) {
    super(`the recommendation queue is full (${queued} requests waiting or being scored); retry after ${retryAfterSeconds} s`);
  }
}

/** One query's result: its top n item indices and scores, best first, padded with -1 / -Infinity. */
export interface QueryResult {
  ids: Int32Array;
  scores: Float32Array;
}

/** The scorer a batch went to, as the osusume_batch_* metrics label it. */
export type BatchScorer = 'recommend' | 'similar_items';

/** Called after each scoring call with its number of queries and its duration. */
export type BatchListener = (size: number, seconds: number, scorer: BatchScorer) => void;

/**
 * The bound on requests waiting or being scored, shared by the batchers of one served model, so
 * that recommendation and similar-item requests together never exceed maxQueue.
 */
export class QueueLimit {
  readonly maxQueue: number;
  readonly retryAfterSeconds: number;
  private taken = 0;

  constructor(options: BatcherOptions = {}) {
    this.maxQueue = options.maxQueue ?? 256;
    this.retryAfterSeconds = options.retryAfterSeconds ?? 1;
  }

  /** Requests waiting or being scored in every batcher that shares this limit. */
  get queued(): number {
    return this.taken;
  }

  /** Takes a place for one request, or throws OverloadError when all maxQueue places are taken. */
  take(): void {
    if (this.taken >= this.maxQueue) throw new OverloadError(this.taken, this.retryAfterSeconds);
    this.taken++;
  }

  release(count: number): void {
    this.taken -= count;
  }
}

interface Pending<Query> {
  query: Query;
  n: number;
  resolve(result: QueryResult): void;
  reject(error: unknown): void;
}

/** Scores a batch of queries in one call; row k of the result belongs to queries[k]. */
export type ScoreBatch<Query> = (queries: readonly Query[], n: number) => Promise<TopNResult>;

/**
 * Coalesces single queries into batched calls of `scoreBatch`, one batch at a time, with a bounded
 * queue. Query is whatever the scoring call needs per request: a factor row, an item index.
 */
export class MicroBatcher<Query> {
  private readonly windowMs: number;
  private readonly maxBatch: number;
  private readonly limit: QueueLimit;
  private pending: Array<Pending<Query>> = [];
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly scoreBatch: ScoreBatch<Query>,
    options: BatcherOptions & { limit?: QueueLimit } = {},
    private readonly onBatch?: (size: number, seconds: number) => void,
  ) {
    this.windowMs = options.windowMs ?? 1;
    this.maxBatch = options.maxBatch ?? 256;
    this.limit = options.limit ?? new QueueLimit(options);
  }

  /** Requests of this batcher waiting plus those in the batch being scored. */
  get queued(): number {
    return this.pending.length + this.inFlight;
  }

  /** Queues one query for its top n items. Rejects with OverloadError at once when the queue is full. */
  submit(query: Query, n: number): Promise<QueryResult> {
    try {
      this.limit.take();
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ query, n, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once no request is waiting or being scored. */
  drain(): Promise<void> {
    if (this.queued === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    // One batch at a time: a batch already keeps every worker busy, and requests arriving meanwhile form the next one.
    if (this.inFlight > 0) return;
    if (this.pending.length >= this.maxBatch) {
      this.flush();
    } else {
      this.timer ??= setTimeout(() => this.flush(), this.windowMs);
    }
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending.splice(0, this.maxBatch);
    if (batch.length === 0) return;
    this.inFlight = batch.length;
    void this.run(batch).finally(() => {
      this.inFlight = 0;
      this.limit.release(batch.length);
      if (this.pending.length > 0) this.flush();
      else for (const wake of this.idleWaiters.splice(0)) wake();
    });
  }

  private async run(batch: Array<Pending<Query>>): Promise<void> {
    const started = performance.now();
    // Every query gets the largest n of the batch, and each request keeps its own first n. Those are
    // the items a request for n alone returns, in the same order, because ties go to the lower index.
    let n = 0;
    for (const entry of batch) n = Math.max(n, entry.n);

    let result: TopNResult;
    try {
      result = await this.scoreBatch(batch.map((entry) => entry.query), n);
    } catch (error) {
      for (const entry of batch) entry.reject(error);
      return;
    }
    this.onBatch?.(batch.length, (performance.now() - started) / 1000);
    for (let k = 0; k < batch.length; k++) {
      const start = k * result.n;
      const end = start + batch[k].n;
      batch[k].resolve({ ids: result.ids.slice(start, end), scores: result.scores.slice(start, end) });
    }
  }
}

/** One GET or POST /recommend query: a user's factor row and the item indices to leave out. */
interface FactorQuery {
  factorsRow: Float32Array;
  exclude: Uint32Array | undefined;
}

/** Gathers factor rows and their exclusions into one TopNRequest. */
function topNRequestOf(queries: readonly FactorQuery[], n: number, factors: number): TopNRequest {
  const rows = new Float32Array(queries.length * factors);
  const indptr = new Uint32Array(queries.length + 1);
  for (let k = 0; k < queries.length; k++) {
    rows.set(queries[k].factorsRow, k * factors);
    indptr[k + 1] = indptr[k] + (queries[k].exclude?.length ?? 0);
  }
  const indices = new Uint32Array(indptr[queries.length]);
  for (let k = 0; k < queries.length; k++) {
    const exclude = queries[k].exclude;
    if (exclude !== undefined) indices.set(exclude, indptr[k]);
  }
  return { queries: rows, n, exclude: indices.length > 0 ? { indptr, indices } : undefined };
}

/** Coalesces single-query top-N requests (factor rows) into batched Scorer.topN calls, with a bounded queue. */
export class TopNBatcher {
  private readonly batcher: MicroBatcher<FactorQuery>;

  constructor(
    score: (request: TopNRequest) => Promise<TopNResult>,
    factors: number,
    options: BatcherOptions & { limit?: QueueLimit } = {},
    onBatch?: (size: number, seconds: number) => void,
  ) {
    this.batcher = new MicroBatcher((queries, n) => score(topNRequestOf(queries, n, factors)), options, onBatch);
  }

  /** Requests waiting plus requests in the batch being scored. */
  get queued(): number {
    return this.batcher.queued;
  }

  /**
   * Queues one query (factors values) for its top n items, leaving out `exclude` (item indices).
   * Rejects with OverloadError at once when maxQueue requests are already queued.
   */
  submit(query: Float32Array, n: number, exclude?: Uint32Array): Promise<QueryResult> {
    return this.batcher.submit({ factorsRow: query, exclude }, n);
  }

  /** Resolves once no request is waiting or being scored. */
  drain(): Promise<void> {
    return this.batcher.drain();
  }
}
