// Exact ALS row solver: forms each row's normal equations and solves them by Cholesky factorisation.

import { isAllFinite, type RowFailure, type RowSystem } from './row-system.js';

/** Per-thread float64 work space: one factors x factors matrix and one vector. */
export interface CholeskyScratch {
  matrix: Float64Array;
  vector: Float64Array;
}

export function createCholeskyScratch(factors: number): CholeskyScratch {
  return { matrix: new Float64Array(factors * factors), vector: new Float64Array(factors) };
}

/**
 * Fills the lower triangle of `matrix` with A_u = Y^T Y + lambda I + sum_i (c_ui - 1) y_i y_i^T and
 * `vector` with b_u = sum_i c_ui y_i, for row `row` of the system. The upper triangle is not written.
 */
export function buildNormalEquations(
  system: RowSystem,
  regularization: number,
  row: number,
  matrix: Float64Array,
  vector: Float64Array,
): void {
  const { indptr, indices, data, otherFactors, gram, factors } = system;
  for (let a = 0; a < factors; a++) {
    const matrixRow = a * factors;
    for (let b = 0; b <= a; b++) matrix[matrixRow + b] = gram[matrixRow + b];
    matrix[matrixRow + a] += regularization;
    vector[a] = 0;
  }

  for (let k = indptr[row]; k < indptr[row + 1]; k++) {
    const itemOffset = indices[k] * factors;
    const confidence = data[k];
    // Y^T Y already contains one copy of y_i y_i^T, so only (c_ui - 1) of it is added.
    const extra = confidence - 1;
    for (let a = 0; a < factors; a++) {
      const ya = otherFactors[itemOffset + a];
      vector[a] += confidence * ya;
      const scaled = extra * ya;
      const matrixRow = a * factors;
      for (let b = 0; b <= a; b++) matrix[matrixRow + b] += scaled * otherFactors[itemOffset + b];
    }
  }
}

/**
 * Factors the symmetric matrix whose lower triangle is in `matrix` (row-major) as L L^T, in place:
 * L overwrites the lower triangle. Returns false, leaving `matrix` partly overwritten, when a pivot is
 * not positive (or NaN), that is when the matrix is not positive definite.
 */
export function choleskyFactor(matrix: Float64Array, factors: number): boolean {
  for (let j = 0; j < factors; j++) {
    const rowJ = j * factors;
    let pivot = matrix[rowJ + j];
    for (let k = 0; k < j; k++) pivot -= matrix[rowJ + k] * matrix[rowJ + k];
    if (!(pivot > 0)) return false;
    const diagonal = Math.sqrt(pivot);
    matrix[rowJ + j] = diagonal;

    // Column j below the diagonal; the sums read rows i and j left of column j, which are contiguous.
    for (let i = j + 1; i < factors; i++) {
      const rowI = i * factors;
      let sum = matrix[rowI + j];
      for (let k = 0; k < j; k++) sum -= matrix[rowI + k] * matrix[rowJ + k];
      matrix[rowI + j] = sum / diagonal;
    }
  }
  return true;
}

/** Solves L L^T x = b in place (b becomes x), with L from choleskyFactor. */
export function choleskySolve(matrix: Float64Array, factors: number, vector: Float64Array): void {
  // Forward substitution: L z = b.
  for (let i = 0; i < factors; i++) {
    const rowI = i * factors;
    let sum = vector[i];
    for (let k = 0; k < i; k++) sum -= matrix[rowI + k] * vector[k];
    vector[i] = sum / matrix[rowI + i];
  }
  // Back substitution: L^T x = z, reading column i of L below the diagonal.
  for (let i = factors - 1; i >= 0; i--) {
    let sum = vector[i];
    for (let k = i + 1; k < factors; k++) sum -= matrix[k * factors + i] * vector[k];
    vector[i] = sum / matrix[i * factors + i];
  }
}

/**
 * Solves x_u = A_u^-1 b_u exactly (see buildNormalEquations) for each row u in [rowStart, rowEnd) and
 * writes it to `targetFactors` (float32). Rows with no stored values get zero factors.
 * Returns the first row that failed, or null; rows after it are left unsolved.
 */
export function solveRowsCholesky(
  system: RowSystem,
  regularization: number,
  targetFactors: Float32Array,
  rowStart: number,
  rowEnd: number,
  scratch: CholeskyScratch,
): RowFailure | null {
  const { indptr, factors } = system;
  const { matrix, vector } = scratch;

  for (let row = rowStart; row < rowEnd; row++) {
    const rowOffset = row * factors;
    if (indptr[row] === indptr[row + 1]) {
      targetFactors.fill(0, rowOffset, rowOffset + factors);
      continue;
    }

    buildNormalEquations(system, regularization, row, matrix, vector);
    if (!choleskyFactor(matrix, factors)) return { row, reason: 'not_positive_definite' };
    choleskySolve(matrix, factors, vector);

    // Check after rounding to float32, because a finite float64 can overflow to Infinity there.
    for (let f = 0; f < factors; f++) {
      targetFactors[rowOffset + f] = vector[f];
      vector[f] = targetFactors[rowOffset + f];
    }
    if (!isAllFinite(vector, factors)) return { row, reason: 'non_finite_factors' };
  }
  return null;
}
