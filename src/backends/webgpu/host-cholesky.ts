// The exact ALS row solve on the host, for solver 'cholesky' on the WebGPU backend, which has no
// Cholesky kernel. Float64 throughout, one row at a time on the calling thread.

import type { CsrMatrix } from '../../csr/csr-matrix.js';
import { NumericError } from '../../errors.js';
import type { Side } from '../backend.js';

/**
 * Returns the exact minimiser of every row of `csr`:
 *   x_u = (Y^T Y + lambda I + sum_i (c_ui - 1) y_i y_i^T)^-1 sum_i c_ui y_i,
 * with zero factors for rows with no stored entries. `other` is Y (csr.nCols x factors). Throws
 * NumericError not_positive_definite or non_finite_factors naming the first failing row.
 */
export function solveRowsCholesky(csr: CsrMatrix, other: Float32Array, factors: number, regularization: number, side: Side): Float32Array {
  const gram = new Float64Array(factors * factors);
  for (let row = 0; row < csr.nCols; row++) {
    for (let a = 0; a < factors; a++) {
      const ya = other[row * factors + a];
      for (let b = 0; b <= a; b++) gram[a * factors + b] += ya * other[row * factors + b];
    }
  }

  const out = new Float32Array(csr.nRows * factors);
  const matrix = new Float64Array(factors * factors);
  const vector = new Float64Array(factors);
  for (let row = 0; row < csr.nRows; row++) {
    const start = csr.indptr[row];
    const end = csr.indptr[row + 1];
    if (start === end) continue;

    // Lower triangle of A and the vector b; Y^T Y already counts each y_i y_i^T once.
    matrix.set(gram);
    vector.fill(0);
    for (let a = 0; a < factors; a++) matrix[a * factors + a] += regularization;
    for (let k = start; k < end; k++) {
      const offset = csr.indices[k] * factors;
      const confidence = csr.data[k];
      for (let a = 0; a < factors; a++) {
        const ya = other[offset + a];
        vector[a] += confidence * ya;
        for (let b = 0; b <= a; b++) matrix[a * factors + b] += (confidence - 1) * ya * other[offset + b];
      }
    }

    if (!choleskySolve(matrix, vector, factors)) throw rowError(side, row, regularization, 'not_positive_definite');
    for (let f = 0; f < factors; f++) out[row * factors + f] = vector[f];
    for (let f = 0; f < factors; f++) {
      if (!Number.isFinite(out[row * factors + f])) throw rowError(side, row, regularization, 'non_finite_factors');
    }
  }
  return out;
}

// Factors the lower triangle of `matrix` as L L^T in place and overwrites `vector` with the solution
// of L L^T x = vector. Returns false when a pivot is not positive (or NaN).
function choleskySolve(matrix: Float64Array, vector: Float64Array, factors: number): boolean {
  for (let j = 0; j < factors; j++) {
    let pivot = matrix[j * factors + j];
    for (let k = 0; k < j; k++) pivot -= matrix[j * factors + k] ** 2;
    if (!(pivot > 0)) return false;
    const diagonal = Math.sqrt(pivot);
    matrix[j * factors + j] = diagonal;
    for (let i = j + 1; i < factors; i++) {
      let value = matrix[i * factors + j];
      for (let k = 0; k < j; k++) value -= matrix[i * factors + k] * matrix[j * factors + k];
      matrix[i * factors + j] = value / diagonal;
    }
  }

  // Forward substitution L z = b, then back substitution L^T x = z.
  for (let i = 0; i < factors; i++) {
    let value = vector[i];
    for (let k = 0; k < i; k++) value -= matrix[i * factors + k] * vector[k];
    vector[i] = value / matrix[i * factors + i];
  }
  for (let i = factors - 1; i >= 0; i--) {
    let value = vector[i];
    for (let k = i + 1; k < factors; k++) value -= matrix[k * factors + i] * vector[k];
    vector[i] = value / matrix[i * factors + i];
  }
  return true;
}

function rowError(side: Side, row: number, regularization: number, code: 'not_positive_definite' | 'non_finite_factors'): NumericError {
  const rowName = `${side === 'users' ? 'user' : 'item'} row ${row}`;
  const details = { where: rowName, side, row, regularization, solver: 'cholesky' };
  if (code === 'not_positive_definite') {
    return new NumericError(code, `the Cholesky solve failed on ${rowName}: its normal equations are not positive definite with regularization ${regularization}; raise regularization above 0`, details);
  }
  return new NumericError(code, `the cholesky solve produced non-finite factors for ${rowName} (regularization ${regularization}); raise regularization, or scale down extreme confidence values`, details);
}
