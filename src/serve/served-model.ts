// One model as the server uses it: its request batcher, and a count of the requests still using it,
// so a reload can dispose it only after they finish.

import type { AlternatingLeastSquares } from '../als/model.js';
import { TopNBatcher, type BatchListener, type BatcherOptions } from './batcher.js';

export class ServedModel {
  readonly batcher: TopNBatcher;
  private active = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(
    readonly model: AlternatingLeastSquares,
    /** Whether retiring this model disposes it (true for models the server loaded itself). */
    private readonly isOwned: boolean,
    batcherOptions: BatcherOptions,
    onBatch?: BatchListener,
  ) {
    this.batcher = new TopNBatcher((request) => model.scoreTopN(request), model.factors, batcherOptions, onBatch);
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
    await this.batcher.drain();
    if (this.isOwned) await this.model.dispose();
  }
}
