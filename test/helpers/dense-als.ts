// A float64 dense reference of implicit ALS for small problems: forms every row's normal equations
// over all cells, with no shortcut through Y^T Y, and solves them by Gaussian elimination.

import type { CsrMatrix } from '../../src/csr/csr-matrix.js';

/** Confidence and preference of every cell, row-major nUsers x nItems. */
export interface DenseProblem {
  nUsers: number;
  nItems: number;
  /** c_ui: the stored confidence, or 1 for a missing cell. */
  confidence: Float64Array;
  /** p_ui: 1 for a stored cell, else 0. */
  preference: Float64Array;
}

/** Expands a confidence CSR matrix (users x items) into a DenseProblem. */
export function denseFromConfidence(confidence: CsrMatrix): DenseProblem {
  const [nUsers, nItems] = confidence.shape;
  const problem: DenseProblem = {
    nUsers,
    nItems,
    confidence: new Float64Array(nUsers * nItems).fill(1),
    preference: new Float64Array(nUsers * nItems),
  };
  for (let u = 0; u < nUsers; u++) {
    const { indices, data } = confidence.row(u);
    for (let k = 0; k < indices.length; k++) {
      problem.confidence[u * nItems + indices[k]] = data[k];
      problem.preference[u * nItems + indices[k]] = 1;
    }
  }
  return problem;
}

/** Solves the dense system a x = b (n x n, row-major) by Gaussian elimination with partial pivoting. */
export function solveDense(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const m = Float64Array.from(a);
  const x = Float64Array.from(b);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let row = col + 1; row < n; row++) if (Math.abs(m[row * n + col]) > Math.abs(m[pivot * n + col])) pivot = row;
    for (let k = 0; k < n; k++) [m[col * n + k], m[pivot * n + k]] = [m[pivot * n + k], m[col * n + k]];
    [x[col], x[pivot]] = [x[pivot], x[col]];
    for (let row = col + 1; row < n; row++) {
      const factor = m[row * n + col] / m[col * n + col];
      for (let k = col; k < n; k++) m[row * n + k] -= factor * m[col * n + k];
      x[row] -= factor * x[col];
    }
  }
  for (let row = n - 1; row >= 0; row--) {
    let sum = x[row];
    for (let k = row + 1; k < n; k++) sum -= m[row * n + k] * x[k];
    x[row] = sum / m[row * n + row];
  }
  return x;
}

/**
 * Returns the exact minimiser, for every user (side 'users') or item, of
 *   sum_j c_rj (p_rj - x_r . y_j)^2 + lambda |x_r|^2
 * with the other side's factors `fixed` held constant: x_r = (sum_j c_rj y_j y_j^T + lambda I)^-1 sum_j c_rj p_rj y_j.
 */
export function denseSolveSide(problem: DenseProblem, side: 'users' | 'items', fixed: Float64Array, factors: number, regularization: number): Float64Array {
  const nRows = side === 'users' ? problem.nUsers : problem.nItems;
  const nOther = side === 'users' ? problem.nItems : problem.nUsers;
  const cell = (row: number, other: number) => (side === 'users' ? row * problem.nItems + other : other * problem.nItems + row);
  const out = new Float64Array(nRows * factors);
  for (let row = 0; row < nRows; row++) {
    const a = new Float64Array(factors * factors);
    const b = new Float64Array(factors);
    for (let f = 0; f < factors; f++) a[f * factors + f] = regularization;
    for (let other = 0; other < nOther; other++) {
      const c = problem.confidence[cell(row, other)];
      const p = problem.preference[cell(row, other)];
      for (let f = 0; f < factors; f++) {
        const yf = fixed[other * factors + f];
        b[f] += c * p * yf;
        for (let g = 0; g < factors; g++) a[f * factors + g] += c * yf * fixed[other * factors + g];
      }
    }
    out.set(solveDense(a, b, factors), row * factors);
  }
  return out;
}

/** Runs `iterations` of exact ALS (users, then items) from the given initial factors. */
export function denseAls(
  problem: DenseProblem,
  initial: { userFactors: ArrayLike<number>; itemFactors: ArrayLike<number> },
  factors: number,
  regularization: number,
  iterations: number,
): { userFactors: Float64Array; itemFactors: Float64Array } {
  let userFactors: Float64Array = Float64Array.from(initial.userFactors);
  let itemFactors: Float64Array = Float64Array.from(initial.itemFactors);
  for (let iteration = 0; iteration < iterations; iteration++) {
    userFactors = denseSolveSide(problem, 'users', itemFactors, factors, regularization);
    itemFactors = denseSolveSide(problem, 'items', userFactors, factors, regularization);
  }
  return { userFactors, itemFactors };
}

/** Computes the loss normalised as in `implicit`, summing cell by cell. */
export function denseLoss(problem: DenseProblem, userFactors: ArrayLike<number>, itemFactors: ArrayLike<number>, factors: number, regularization: number): number {
  let error = 0;
  let storedConfidence = 0;
  let stored = 0;
  for (let u = 0; u < problem.nUsers; u++) {
    for (let i = 0; i < problem.nItems; i++) {
      let score = 0;
      for (let f = 0; f < factors; f++) score += userFactors[u * factors + f] * itemFactors[i * factors + f];
      const c = problem.confidence[u * problem.nItems + i];
      const p = problem.preference[u * problem.nItems + i];
      error += c * (p - score) ** 2;
      if (p === 1) {
        storedConfidence += c;
        stored++;
      }
    }
  }
  let norms = 0;
  for (let k = 0; k < userFactors.length; k++) norms += userFactors[k] ** 2;
  for (let k = 0; k < itemFactors.length; k++) norms += itemFactors[k] ** 2;
  return (error + regularization * norms) / (storedConfidence + problem.nUsers * problem.nItems - stored);
}

/** Returns max |a_k - b_k|. */
export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let k = 0; k < a.length; k++) max = Math.max(max, Math.abs(a[k] - b[k]));
  return max;
}
