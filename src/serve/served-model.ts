// One model as the server uses it: its request batchers, and a count of the requests still using it,
// so a reload can dispose it only after they finish.

import type { AlternatingLeastSquares } from '../als/model.js';
import { MicroBatcher, QueueLimit, TopNBatcher, type BatchListener, type BatcherOptions } from './batcher.js';

export class ServedModel {
  /** Top-N by dot product with the item factors: GET and POST /recommend. */
  readonly batcher: TopNBatcher;
  /** Top-N by cosine similarity to an item, whose index is the query: GET /similar-items. */
  readonly similarItemsBatcher: MicroBatcher<number>;
  /** The queue bound that both batchers share. */
  private readonly limit: QueueLimit;
  private active = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(
    readonly model: AlternatingLeastSquares,
    /** Whether retiring this model disposes it (true for models the server loaded itself). */
    private readonly isOwned: boolean,
    batcherOptions: BatcherOptions,
    onBatch?: BatchListener,
  ) {
    this.limit = new QueueLimit(batcherOptions);
    const options = { ...batcherOptions, limit: this.limit };
    this.batcher = new TopNBatcher((request) => model.scoreTopN(request), model.factors, options, (size, seconds) => onBatch?.(size, seconds, 'recommend'));
    this.similarItemsBatcher = new MicroBatcher(
      (items, n) => model.similarItemsTopN(Uint32Array.from(items), n),
      options,
      (size, seconds) => onBatch?.(size, seconds, 'similar_items'),
    );
  }

  /** Requests waiting or being scored in either batcher. */
  get queued(): number {
    return this.limit.queued;
  }

  /** Runs `work` on this model, counting it as active until it settles. */
  async use<T>(work: (served: ServedModel) => Promise<T>): Promise<T> {
    this.active++;
    try {
      return await work(this);
    } finally {
      this.active--;
      if (this.active === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  /** Requests currently using the model. */
  get activeRequests(): number {
    return this.active;
  }

  /** Waits for every active request, then disposes the model when this server owns it. */
  async retire(): Promise<void> {
    if (this.active > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    await Promise.all([this.batcher.drain(), this.similarItemsBatcher.drain()]);
    if (this.isOwned) await this.model.dispose();
  }
}
