// The view of a fitted factor model that the recommendation functions read, so they stay independent
// of how the model was fitted and where its scorers run.

import type { Scorer } from '../backends/backend.js';
import type { CsrMatrix } from '../csr/csr-matrix.js';
import type { IdMap } from '../csr/id-map.js';

/** A scorer over unit-length factor rows, for cosine similarity, and those rows. */
export interface CosineScorer {
  scorer: Scorer;
  /** Each factor row divided by its norm (zero rows stay zero), row-major. */
  unitFactors: Float32Array;
}

/** A fitted factor model as the recommend/ functions see it. */
export interface FactorModelState {
  factors: number;
  /** nUsers x factors, row-major. */
  userFactors: Float32Array;
  /** nItems x factors, row-major. */
  itemFactors: Float32Array;
  userIds: IdMap;
  itemIds: IdMap;
  /** The training interactions (values before weighting), users x items, used to filter liked items. */
  userItems: CsrMatrix;
  /** Confidence weight: c = 1 + alpha * value. */
  alpha: number;
  regularization: number;
  /** Scorer over itemFactors, created on first use. */
  itemScorer(): Promise<Scorer>;
  cosineItemScorer(): Promise<CosineScorer>;
  cosineUserScorer(): Promise<CosineScorer>;
  /** Y^T Y of itemFactors (factors x factors, float64), computed on first use. */
  itemGram(): Float64Array;
}
