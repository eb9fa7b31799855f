// Float64 reference computations for the WebGPU kernel tests: the same formulas as the shaders,
// written as plain loops so that a reader can check them against the math.

import type { CsrMatrix } from '../../../src/csr/csr-matrix.js';

/** YtY for a rows x factors row-major matrix. */
export function referenceGram(matrix: Float32Array, rows: number, factors: number): Float64Array {
  const gram = new Float64Array(factors * factors);
  for (let r = 0; r < rows; r++) {
    for (let a = 0; a < factors; a++) {
      for (let b = 0; b < factors; b++) gram[a * factors + b] += matrix[r * factors + a] * matrix[r * factors + b];
    }
  }
  return gram;
}

/**
 * Runs one CG half-step as implicit's GPU kernel does, in float64: cgSteps steps warm-started from
 * `solved`, stopping early when r.r < 1e-20; empty rows become zero.
 */
export function referenceCgSolve(csr: CsrMatrix, solved: Float32Array, other: Float32Array, factors: number, regularization: number, cgSteps: number): Float64Array {
  const gram = referenceGram(other, csr.nCols, factors);
  const out = new Float64Array(solved.length);
  const multiply = (vector: Float64Array, start: number, end: number): Float64Array => {
    const result = new Float64Array(factors);
    for (let f = 0; f < factors; f++) {
      result[f] = regularization * vector[f];
      for (let k = 0; k < factors; k++) result[f] += gram[k * factors + f] * vector[k];
    }
    for (let e = start; e < end; e++) {
      const item = csr.indices[e];
      let dot = 0;
      for (let f = 0; f < factors; f++) dot += other[item * factors + f] * vector[f];
      for (let f = 0; f < factors; f++) result[f] += (csr.data[e] - 1) * dot * other[item * factors + f];
    }
    return result;
  };
  const dot = (a: Float64Array, b: Float64Array) => a.reduce((sum, value, f) => sum + value * b[f], 0);

  for (let row = 0; row < csr.nRows; row++) {
    const start = csr.indptr[row];
    const end = csr.indptr[row + 1];
    if (start === end) continue;
    const x = Float64Array.from(solved.subarray(row * factors, (row + 1) * factors));
    const ax = multiply(x, start, start);
    const residual = new Float64Array(factors);
    for (let f = 0; f < factors; f++) residual[f] = -ax[f];
    for (let e = start; e < end; e++) {
      const item = csr.indices[e];
      let d = 0;
      for (let f = 0; f < factors; f++) d += other[item * factors + f] * x[f];
      const weight = csr.data[e] - (csr.data[e] - 1) * d;
      for (let f = 0; f < factors; f++) residual[f] += weight * other[item * factors + f];
    }
    const direction = Float64Array.from(residual);
    let rsOld = dot(residual, residual);
    for (let step = 0; step < cgSteps && rsOld >= 1e-20; step++) {
      const product = multiply(direction, start, end);
      const alpha = rsOld / dot(direction, product);
      for (let f = 0; f < factors; f++) {
        x[f] += alpha * direction[f];
        residual[f] -= alpha * product[f];
      }
      const rsNew = dot(residual, residual);
      if (rsNew < 1e-20) break;
      for (let f = 0; f < factors; f++) direction[f] = residual[f] + (rsNew / rsOld) * direction[f];
      rsOld = rsNew;
    }
    out.set(x, row * factors);
  }
  return out;
}

/** Returns the FitSession loss, summed cell by cell over the full users x items matrix. */
export function referenceLoss(userItems: CsrMatrix, userFactors: Float32Array, itemFactors: Float32Array, factors: number, regularization: number): number {
  let total = 0;
  let confidenceSum = 0;
  for (let u = 0; u < userItems.nRows; u++) {
    for (let i = 0; i < userItems.nCols; i++) {
      const stored = userItems.get(u, i);
      const confidence = stored > 0 ? stored : 1;
      const preference = stored > 0 ? 1 : 0;
      let score = 0;
      for (let f = 0; f < factors; f++) score += userFactors[u * factors + f] * itemFactors[i * factors + f];
      total += confidence * (preference - score) ** 2;
    }
  }
  for (const value of userItems.data) confidenceSum += value;
  const squaredNorm = (matrix: Float32Array) => matrix.reduce((sum, value) => sum + value * value, 0);
  total += regularization * (squaredNorm(userFactors) + squaredNorm(itemFactors));
  return total / (confidenceSum + userItems.nRows * userItems.nCols - userItems.nnz);
}

export interface ReferenceTopNOptions {
  exclude?: { indptr: Uint32Array; indices: Uint32Array };
  filterItems?: Uint32Array;
  candidates?: Uint32Array;
}

/** Scores in float64 and sorts by descending score, then ascending item; returns ids and scores per query. */
export function referenceTopN(queries: Float32Array, items: Float32Array, factors: number, n: number, options: ReferenceTopNOptions = {}): { ids: number[][]; scores: number[][] } {
  const nQueries = queries.length / factors;
  const nItems = items.length / factors;
  const filtered = new Set(options.filterItems ?? []);
  const pool = options.candidates ? [...options.candidates] : Array.from({ length: nItems }, (_, item) => item);
  const ids: number[][] = [];
  const scores: number[][] = [];
  for (let q = 0; q < nQueries; q++) {
    const excluded = new Set(options.exclude ? options.exclude.indices.subarray(options.exclude.indptr[q], options.exclude.indptr[q + 1]) : []);
    const ranked = pool
      .filter((item) => !filtered.has(item) && !excluded.has(item))
      .map((item) => {
        let score = 0;
        for (let f = 0; f < factors; f++) score += queries[q * factors + f] * items[item * factors + f];
        return { item, score };
      })
      .sort((a, b) => b.score - a.score || a.item - b.item)
      .slice(0, n);
    ids.push(ranked.map((entry) => entry.item));
    scores.push(ranked.map((entry) => entry.score));
  }
  return { ids, scores };
}
