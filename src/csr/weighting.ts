// Re-weighting of interaction matrices before a fit: confidence (Hu, Koren and Volinsky 2008), and the
// BM25 and TF-IDF weightings of implicit's nearest_neighbours module. Formulas: docs/weighting.md.

import { InputError } from '../errors.js';
import { CsrMatrix } from './csr-matrix.js';

export interface Bm25Options {
  /** Saturation of the term frequency, >= 0. Default 100, as in implicit's bm25_weight. */
  k1?: number;
  /** Strength of the row length normalisation, in [0, 1]. Default 0.8, as in implicit's bm25_weight. */
  b?: number;
}

/**
 * Weights `matrix` by BM25, reading rows as documents and columns as terms, as
 * `implicit.nearest_neighbours.bm25_weight` does:
 *
 *     idf(j)      = ln(N / (1 + df(j)))     N = nRows, df(j) = stored entries in column j
 *     lengthNorm(i) = (1 - b) + b * rowSum(i) / mean over all rows of rowSum
 *     w(i, j)     = x(i, j) * (k1 + 1) / (k1 * lengthNorm(i) + x(i, j)) * idf(j)
 *
 * For a users x items matrix this damps heavy listeners and popular items. The idf is negative for a
 * column stored in every row (N / (N + 1) < 1); implicit does the same, so it is kept.
 * Computed in float64, stored as float32; the structure (indptr, indices) is shared with `matrix`.
 * Throws InputError `invalid_option` for k1 < 0 or b outside [0, 1], and `invalid_csr` for a negative value.
 *
 * @example
 * const weighted = bm25Weight(userItems, { k1: 100, b: 0.8 });
 */
export function bm25Weight(matrix: CsrMatrix, options: Bm25Options = {}): CsrMatrix {
  const k1 = options.k1 ?? 100;
  const b = options.b ?? 0.8;
  if (!Number.isFinite(k1) || k1 < 0) invalidOption('k1', k1, 'a finite number >= 0 (implicit uses 100)');
  if (!Number.isFinite(b) || b < 0 || b > 1) invalidOption('b', b, 'a number in [0, 1] (implicit uses 0.8)');
  requireNonNegative(matrix, 'bm25Weight');

  const { nRows, indptr, indices, data } = matrix;
  const idf = inverseDocumentFrequency(matrix);
  const rowSums = new Float64Array(nRows);
  let total = 0;
  for (let r = 0; r < nRows; r++) {
    let sum = 0;
    for (let k = indptr[r]; k < indptr[r + 1]; k++) sum += data[k];
    rowSums[r] = sum;
    total += sum;
  }
  // NOTE: when every row sums to 0, implicit divides by a zero mean. Here every row then gets lengthNorm 1.
  const averageLength = nRows > 0 ? total / nRows : 0;

  const out = new Float32Array(data.length);
  for (let r = 0; r < nRows; r++) {
    const lengthNorm = averageLength > 0 ? 1 - b + (b * rowSums[r]) / averageLength : 1;
    for (let k = indptr[r]; k < indptr[r + 1]; k++) {
      const x = data[k];
      out[k] = ((x * (k1 + 1)) / (k1 * lengthNorm + x)) * idf[indices[k]];
    }
  }
  return withData(matrix, out);
}

/**
 * Weights `matrix` by TF-IDF, rows as documents and columns as terms, as
 * `implicit.nearest_neighbours.tfidf_weight` does:
 *
 *     w(i, j) = sqrt(x(i, j)) * ln(N / (1 + df(j)))     N = nRows, df(j) = stored entries in column j
 *
 * Throws InputError `invalid_csr` for a negative value, whose square root is not real.
 */
export function tfidfWeight(matrix: CsrMatrix): CsrMatrix {
  requireNonNegative(matrix, 'tfidfWeight');
  const idf = inverseDocumentFrequency(matrix);
  const { indices, data } = matrix;
  const out = new Float32Array(data.length);
  for (let k = 0; k < data.length; k++) out[k] = Math.sqrt(data[k]) * idf[indices[k]];
  return withData(matrix, out);
}

/**
 * Turns stored interaction strengths r into confidences c = 1 + alpha * r (Hu, Koren and Volinsky,
 * "Collaborative Filtering for Implicit Feedback Datasets", ICDM 2008). Cells that are not stored
 * keep the model's baseline confidence 1 with preference 0.
 *
 * implicit 0.7 instead passes c = alpha * r to its solver, which adds (c - 1) y y^T per stored cell:
 * on binary data with alpha = 1 an observed cell then weighs no more than a missing one.
 * Throws InputError `invalid_option` unless alpha is finite and >= 0.
 *
 * @example
 * const confidence = confidenceWeight(userItems, 40); // a play count of 2 becomes 81
 */
export function confidenceWeight(matrix: CsrMatrix, alpha: number): CsrMatrix {
  if (!Number.isFinite(alpha) || alpha < 0) invalidOption('alpha', alpha, 'a finite number >= 0');
  const { data } = matrix;
  const out = new Float32Array(data.length);
  for (let k = 0; k < data.length; k++) out[k] = 1 + alpha * data[k];
  return withData(matrix, out);
}

/** ln(nRows / (1 + stored entries in column j)) for every column j. */
function inverseDocumentFrequency(matrix: CsrMatrix): Float64Array {
  const documentFrequency = new Uint32Array(matrix.nCols);
  const { indices } = matrix;
  for (let k = 0; k < indices.length; k++) documentFrequency[indices[k]]++;
  const idf = new Float64Array(matrix.nCols);
  for (let j = 0; j < matrix.nCols; j++) idf[j] = Math.log(matrix.nRows / (1 + documentFrequency[j]));
  return idf;
}

function withData(matrix: CsrMatrix, data: Float32Array): CsrMatrix {
  return new CsrMatrix({ indptr: matrix.indptr, indices: matrix.indices, data, shape: matrix.shape }, { validate: false });
}

function requireNonNegative(matrix: CsrMatrix, caller: string): void {
  const { nRows, indptr, indices, data } = matrix;
  for (let r = 0; r < nRows; r++) {
    for (let k = indptr[r]; k < indptr[r + 1]; k++) {
      if (data[k] < 0) {
        throw new InputError('invalid_csr', `${caller} needs non-negative values, but row ${r}, column ${indices[k]} is ${data[k]}; drop or clip negative values first`, {
          where: `row ${r}, column ${indices[k]}`,
          received: String(data[k]),
          expected: 'a value >= 0',
        });
      }
    }
  }
}

function invalidOption(name: string, value: number, expected: string): never {
  throw new InputError('invalid_option', `invalid option ${name}: received ${value}; expected ${expected}`, {
    where: name,
    received: String(value),
    expected,
  });
}
