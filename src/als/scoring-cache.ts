// Lazily built, cached scoring resources of a fitted model: scorers and the item Gram matrix.
// They depend only on the factors, so a new fit replaces the whole cache.

import type { Backend, Scorer } from '../backends/backend.js';
import { computeGram } from '../backends/cpu/kernels/index.js';
import type { CosineScorer } from '../recommend/model-state.js';
import { unitRows } from '../recommend/similar.js';

/** Scorers and Gram matrix for one set of fitted factors. */
export class ScoringCache {
  private item: Promise<Scorer> | undefined;
  private cosineItem: Promise<CosineScorer> | undefined;
  private cosineUser: Promise<CosineScorer> | undefined;
  private gram: Float64Array | undefined;

  constructor(
    private readonly backend: Backend,
    private readonly userFactors: Float32Array,
    private readonly itemFactors: Float32Array,
    private readonly factors: number,
  ) {}

  itemScorer(): Promise<Scorer> {
    this.item ??= this.backend.createScorer(this.itemFactors, this.factors);
    return this.item;
  }

  cosineItemScorer(): Promise<CosineScorer> {
    this.cosineItem ??= this.createCosineScorer(this.itemFactors);
    return this.cosineItem;
  }

  cosineUserScorer(): Promise<CosineScorer> {
    this.cosineUser ??= this.createCosineScorer(this.userFactors);
    return this.cosineUser;
  }

  /** Y^T Y of the item factors, computed on the calling thread at first use (nItems x factors^2 / 2 multiply-adds). */
  itemGram(): Float64Array {
    if (this.gram === undefined) {
      this.gram = new Float64Array(this.factors * this.factors);
      computeGram(this.itemFactors, this.factors, this.itemFactors.length / this.factors, this.gram);
    }
    return this.gram;
  }

  private async createCosineScorer(factorMatrix: Float32Array): Promise<CosineScorer> {
    const unitFactors = unitRows(factorMatrix, this.factors);
    return { scorer: await this.backend.createScorer(unitFactors, this.factors), unitFactors };
  }

  /** Releases every scorer created so far. */
  async dispose(): Promise<void> {
    const pending = [this.item, this.cosineItem?.then((cosine) => cosine.scorer), this.cosineUser?.then((cosine) => cosine.scorer)];
    this.item = this.cosineItem = this.cosineUser = undefined;
    // A scorer whose creation failed has nothing to release.
    const scorers = await Promise.allSettled(pending.filter((scorer) => scorer !== undefined));
    await Promise.all(scorers.map((settled) => (settled.status === 'fulfilled' ? settled.value.dispose() : undefined)));
  }
}
