// Conjugate-gradient ALS row solver, warm-started from the current factors (Takacs, Pilaszy and
// Tikk, "Applications of the conjugate gradient method for implicit feedback collaborative filtering", 2011).

import {
  addScaledFactorRow,
  dotFactorRow,
  isAllFinite,
  multiplyRegularizedGram,
  type RowFailure,
  type RowSystem,
} from './row-system.js';

/** Below this squared residual norm a row counts as solved, so CG stops before dividing by ~0. */
const RESIDUAL_EPSILON = 1e-20;

/** Per-thread float64 work vectors of length `factors`, allocated once and reused for every row. */
export interface CgScratch {
  x: Float64Array;
  r: Float64Array;
  p: Float64Array;
  ap: Float64Array;
}

export function createCgScratch(factors: number): CgScratch {
  return {
    x: new Float64Array(factors),
    r: new Float64Array(factors),
    p: new Float64Array(factors),
    ap: new Float64Array(factors),
  };
}

/**
 * Runs `cgSteps` CG steps on each row u in [rowStart, rowEnd) of the system
 *   A_u x_u = b_u,  A_u = Y^T Y + lambda I + sum_i (c_ui - 1) y_i y_i^T,  b_u = sum_i c_ui y_i,
 * starting from the current row of `targetFactors` and writing the result back (float32).
 * A_u is never formed: A_u v is Y^T Y v + lambda v + sum_i (c_ui - 1) (y_i . v) y_i.
 * Rows with no stored values get zero factors, the exact minimiser of sum_i (x . y_i)^2 + lambda |x|^2.
 * Returns the first row whose result is not finite, or null; rows after it are left unsolved.
 */
export function solveRowsCg(
  system: RowSystem,
  regularization: number,
  cgSteps: number,
  targetFactors: Float32Array,
  rowStart: number,
  rowEnd: number,
  scratch: CgScratch,
): RowFailure | null {
  const { indptr, indices, data, otherFactors, gram, factors } = system;
  const { x, r, p, ap } = scratch;

  for (let row = rowStart; row < rowEnd; row++) {
    const rowOffset = row * factors;
    const start = indptr[row];
    const end = indptr[row + 1];
    if (start === end) {
      targetFactors.fill(0, rowOffset, rowOffset + factors);
      continue;
    }
    for (let f = 0; f < factors; f++) x[f] = targetFactors[rowOffset + f];

    // r = b - A x = -(Y^T Y + lambda I) x + sum_i (c_ui - (c_ui - 1) (y_i . x)) y_i
    multiplyRegularizedGram(gram, regularization, factors, x, r);
    for (let f = 0; f < factors; f++) r[f] = -r[f];
    for (let k = start; k < end; k++) {
      const itemOffset = indices[k] * factors;
      const confidence = data[k];
      const scale = confidence - (confidence - 1) * dotFactorRow(otherFactors, itemOffset, x, factors);
      addScaledFactorRow(otherFactors, itemOffset, scale, r, factors);
    }

    let rsOld = 0;
    for (let f = 0; f < factors; f++) {
      p[f] = r[f];
      rsOld += r[f] * r[f];
    }
    // A NaN residual would skip the loop below and keep the old factors, so it fails here instead.
    if (!(rsOld < Infinity)) return { row, reason: 'non_finite_factors' };

    for (let step = 0; step < cgSteps && rsOld >= RESIDUAL_EPSILON; step++) {
      // ap = A p, built the same implicit way as the residual.
      multiplyRegularizedGram(gram, regularization, factors, p, ap);
      for (let k = start; k < end; k++) {
        const itemOffset = indices[k] * factors;
        const scale = (data[k] - 1) * dotFactorRow(otherFactors, itemOffset, p, factors);
        addScaledFactorRow(otherFactors, itemOffset, scale, ap, factors);
      }

      let pAp = 0;
      for (let f = 0; f < factors; f++) pAp += p[f] * ap[f];
      const alpha = rsOld / pAp;
      let rsNew = 0;
      for (let f = 0; f < factors; f++) {
        x[f] += alpha * p[f];
        r[f] -= alpha * ap[f];
        rsNew += r[f] * r[f];
      }
      if (rsNew < RESIDUAL_EPSILON) break;

      const beta = rsNew / rsOld;
      for (let f = 0; f < factors; f++) p[f] = r[f] + beta * p[f];
      rsOld = rsNew;
    }

    // Check after rounding to float32, because a finite float64 can overflow to Infinity there.
    for (let f = 0; f < factors; f++) {
      targetFactors[rowOffset + f] = x[f];
      x[f] = targetFactors[rowOffset + f];
    }
    if (!isAllFinite(x, factors)) return { row, reason: 'non_finite_factors' };
  }
  return null;
}
