// Training loss kernel: the weighted squared error of one block of user rows, without forming X Y^T.

import { dotFactorRow, type RowSystem } from './row-system.js';

/** Partial sums of one block of users, each in float64. */
export interface LossPartial {
  /** sum over the block's cells of c_ui (p_ui - x_u . y_i)^2 (all items, stored or not). */
  squaredError: number;
  /** sum of c_ui over the block's stored cells. */
  totalConfidence: number;
  /** sum of |x_u|^2 over the block. */
  userNorm: number;
}

/**
 * Accumulates the loss terms of users [rowStart, rowEnd) of `system` (user rows, item factors,
 * gram = Y^T Y). Per user, expanding the square over every item and correcting the stored cells:
 *   sum_i c_ui (p_ui - x.y_i)^2 = x^T (Y^T Y) x + sum_stored [(c_ui - 1)(x.y_i)^2 - 2 c_ui (x.y_i) + c_ui].
 * `scratch` has room for `factors` float64 values.
 */
export function accumulateLoss(
  system: RowSystem,
  userFactors: Float32Array,
  rowStart: number,
  rowEnd: number,
  scratch: Float64Array,
): LossPartial {
  const { indptr, indices, data, otherFactors, gram, factors } = system;
  const x = scratch;
  let squaredError = 0;
  let totalConfidence = 0;
  let userNorm = 0;

  for (let row = rowStart; row < rowEnd; row++) {
    const rowOffset = row * factors;
    let norm = 0;
    for (let f = 0; f < factors; f++) {
      x[f] = userFactors[rowOffset + f];
      norm += x[f] * x[f];
    }
    userNorm += norm;

    // x^T (Y^T Y) x: the error of predicting 0 for every item.
    let quadratic = 0;
    for (let a = 0; a < factors; a++) {
      const gramRow = a * factors;
      let sum = 0;
      for (let b = 0; b < factors; b++) sum += gram[gramRow + b] * x[b];
      quadratic += x[a] * sum;
    }
    squaredError += quadratic;

    for (let k = indptr[row]; k < indptr[row + 1]; k++) {
      const confidence = data[k];
      const score = dotFactorRow(otherFactors, indices[k] * factors, x, factors);
      squaredError += (confidence - 1) * score * score - 2 * confidence * score + confidence;
      totalConfidence += confidence;
    }
  }
  return { squaredError, totalConfidence, userNorm };
}
