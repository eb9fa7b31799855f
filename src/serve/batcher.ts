// Micro-batching of top-N requests. Queries that arrive within a short window, or while a batch is
// being scored, go to the backend as one Scorer.topN call. That call ranks every item for all of them
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

interface Pending {
  query: Float32Array;
  n: number;
  exclude: Uint32Array | undefined;
  resolve(result: QueryResult): void;
  reject(error: unknown): void;
}

/** Sizes of each scoring call, for metrics. */
export type BatchListener = (size: number, seconds: number) => void;

/** Coalesces single-query top-N requests into batched calls of `score`, with a bounded queue. */
export class TopNBatcher {
  private readonly windowMs: number;
  private readonly maxBatch: number;
  private readonly maxQueue: number;
  private readonly retryAfterSeconds: number;
  private pending: Pending[] = [];
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly score: (request: TopNRequest) => Promise<TopNResult>,
    private readonly factors: number,
    options: BatcherOptions = {},
    private readonly onBatch?: BatchListener,
  ) {
    this.windowMs = options.windowMs ?? 1;
    this.maxBatch = options.maxBatch ?? 256;
    this.maxQueue = options.maxQueue ?? 256;
    this.retryAfterSeconds = options.retryAfterSeconds ?? 1;
  }

  /** Requests waiting plus requests in the batch being scored. */
  get queued(): number {
    return this.pending.length + this.inFlight;
  }

  /**
   * Queues one query (factors values) for its top n items, leaving out `exclude` (item indices).
   * Rejects with OverloadError at once when maxQueue requests are already queued.
   */
  submit(query: Float32Array, n: number, exclude?: Uint32Array): Promise<QueryResult> {
    if (this.queued >= this.maxQueue) return Promise.reject(new OverloadError(this.queued, this.retryAfterSeconds));
    return new Promise((resolve, reject) => {
      this.pending.push({ query, n, exclude, resolve, reject });
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
      if (this.pending.length > 0) this.flush();
      else for (const wake of this.idleWaiters.splice(0)) wake();
    });
  }

  private async run(batch: Pending[]): Promise<void> {
    const started = performance.now();
    const { factors } = this;
    // Every query gets the largest n of the batch, and each request keeps its own first n. Those are
    // the items a request for n alone returns, in the same order, because ties go to the lower index.
    const n = Math.max(...batch.map((entry) => entry.n));
    const queries = new Float32Array(batch.length * factors);
    const indptr = new Uint32Array(batch.length + 1);
    batch.forEach((entry, k) => {
      queries.set(entry.query, k * factors);
      indptr[k + 1] = indptr[k] + (entry.exclude?.length ?? 0);
    });
    const indices = new Uint32Array(indptr[batch.length]);
    batch.forEach((entry, k) => entry.exclude !== undefined && indices.set(entry.exclude, indptr[k]));

    let result: TopNResult;
    try {
      result = await this.score({ queries, n, exclude: indices.length > 0 ? { indptr, indices } : undefined });
    } catch (error) {
      for (const entry of batch) entry.reject(error);
      return;
    }
    this.onBatch?.(batch.length, (performance.now() - started) / 1000);
    batch.forEach((entry, k) => {
      const start = k * result.n;
      entry.resolve({ ids: result.ids.slice(start, start + entry.n), scores: result.scores.slice(start, start + entry.n) });
    });
  }
}
