// Fold-in: the factors of one user computed from fixed item factors, without refitting the model.

import {
  createCholeskyScratch,
  solveRowsCholesky,
  type RowSystem,
} from '../backends/cpu/kernels/index.js';
import { NumericError } from '../errors.js';

export interface FoldInInput {
  /** Item factors Y, nItems x factors, row-major. */
  itemFactors: Float32Array;
  factors: number;
  /** Y^T Y, factors x factors float64 (computeGram of itemFactors). */
  itemGram: Float64Array;
  regularization: number;
  /** The user's item indices. */
  items: Uint32Array;
  /** Confidence c_ui of each item in `items` (1 + alpha * r_ui). */
  confidence: Float32Array;
}

/**
 * Returns the user factors x_u = (Y^T Y + Y^T (C_u - I) Y + lambda I)^-1 Y^T C_u p_u, one exact ALS
 * user step against fixed item factors (the same system a fit solves). Zero factors when `items` is
 * empty. Runs on the calling thread: about nItems_u * factors^2 / 2 + factors^3 / 6 multiply-adds.
 * Throws NumericError when the system is singular or the result is not finite.
 */
export function foldInUser(input: FoldInInput): Float32Array {
  const { factors, items, confidence } = input;
  const system: RowSystem = {
    indptr: new Uint32Array([0, items.length]),
    indices: items,
    data: confidence,
    otherFactors: input.itemFactors,
    gram: input.itemGram,
    factors,
  };
  const result = new Float32Array(factors);
  const failure = solveRowsCholesky(system, input.regularization, result, 0, 1, createCholeskyScratch(factors));
  if (failure !== null) {
    throw new NumericError(
      failure.reason,
      failure.reason === 'not_positive_definite'
        ? `fold-in of a user with ${items.length} items failed: the normal equations are not positive definite with regularization ${input.regularization}; raise regularization above 0`
        : `fold-in of a user with ${items.length} items produced non-finite factors; raise regularization or scale down extreme confidence values`,
      { where: 'fold-in', regularization: input.regularization },
    );
  }
  return result;
}
