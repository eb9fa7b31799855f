// The index-level recommender contract that evaluation and the CLI use, so the ALS model and the
// most-popular baseline are measured by the same code.

import type { TopNResult } from '../backends/backend.js';
import type { CsrMatrix } from '../csr/csr-matrix.js';

export interface IndexRecommendOptions {
  /** Results per user. */
  n: number;
  /** Items to leave out per user: row u of this users x items matrix (for example the training interactions). */
  exclude?: CsrMatrix;
}

/** Anything that ranks item indices for user indices. */
export interface IndexRecommender {
  /** Returns the top n item indices and scores for each user index in `users`, row i for users[i]. */
  recommendIndices(users: Uint32Array, options: IndexRecommendOptions): Promise<TopNResult>;
}
