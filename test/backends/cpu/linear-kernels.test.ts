import { describe, expect, it } from 'vitest';
import {
  buildNormalEquations,
  choleskyFactor,
  choleskySolve,
  computeGram,
  computeGramBand,
  createCgScratch,
  createCholeskyScratch,
  mirrorGramBand,
  solveRowsCg,
  solveRowsCholesky,
  splitGramBands,
  type RowSystem,
} from '../../../src/backends/cpu/kernels/index.js';
import { maxAbsDifference, solveDense } from '../../helpers/dense-als.js';
import { csrFromDense, randomFactors, randomSparse } from '../../helpers/small-matrices.js';
import { CHOLESKY_VS_DENSE_ABS, KNOWN_ANSWER_ABS } from '../../helpers/tolerance.js';

function naiveGram(matrix: Float32Array, factors: number): Float64Array {
  const rows = matrix.length / factors;
  const gram = new Float64Array(factors * factors);
  for (let r = 0; r < rows; r++) {
    for (let a = 0; a < factors; a++) for (let b = 0; b < factors; b++) gram[a * factors + b] += matrix[r * factors + a] * matrix[r * factors + b];
  }
  return gram;
}

/** Builds a system over a random 12 x 9 confidence matrix with random item factors. */
function randomSystem(factors: number, seed = 5): RowSystem {
  const userItems = randomSparse(12, 9, 0.4, seed).mapData((value) => 1 + 2 * value);
  const otherFactors = randomFactors(9, factors, seed + 1, 0.5);
  const gram = new Float64Array(factors * factors);
  computeGram(otherFactors, factors, 9, gram);
  return { indptr: userItems.indptr, indices: userItems.indices, data: userItems.data, otherFactors, gram, factors };
}

/** x_u from the dense normal equations of row `row`, in float64. */
function denseRowSolution(system: RowSystem, row: number, regularization: number): Float64Array {
  const { factors } = system;
  const matrix = new Float64Array(factors * factors);
  const vector = new Float64Array(factors);
  buildNormalEquations(system, regularization, row, matrix, vector);
  for (let a = 0; a < factors; a++) for (let b = a + 1; b < factors; b++) matrix[a * factors + b] = matrix[b * factors + a];
  return solveDense(matrix, vector, factors);
}

describe('computeGram', () => {
  it('matches a naive Y^T Y', () => {
    const matrix = randomFactors(37, 6, 1);
    const gram = new Float64Array(36);
    computeGram(matrix, 6, 37, gram);
    expect(maxAbsDifference(gram, naiveGram(matrix, 6))).toBeLessThan(1e-12);
  });

  it('gives identical bits for any band split', () => {
    const matrix = randomFactors(50, 7, 2);
    const whole = new Float64Array(49);
    computeGram(matrix, 7, 50, whole);
    for (const parts of [2, 3, 7]) {
      const bands = splitGramBands(7, parts);
      const banded = new Float64Array(49);
      for (let part = 0; part < parts; part++) {
        computeGramBand(matrix, 7, 50, bands[part], bands[part + 1], banded);
        mirrorGramBand(banded, 7, bands[part], bands[part + 1]);
      }
      expect(banded).toEqual(whole);
    }
  });

  it('splits bands of about equal work', () => {
    const bands = splitGramBands(64, 3);
    const work = (start: number, end: number) => {
      let total = 0;
      for (let a = start; a < end; a++) total += 64 - a;
      return total;
    };
    expect(bands[0]).toBe(0);
    expect(bands[3]).toBe(64);
    // Each band is within one Gram row (at most 64 entries) of a third of the 2080 entries.
    for (let part = 0; part < 3; part++) expect(Math.abs(work(bands[part], bands[part + 1]) - 2080 / 3)).toBeLessThanOrEqual(64);
  });

  it('gives empty bands when there are more parts than rows', () => {
    const bands = Array.from(splitGramBands(3, 8));
    expect(bands).toHaveLength(9);
    expect(bands[0]).toBe(0);
    expect(bands[8]).toBe(3);
    for (let part = 0; part < 8; part++) expect(bands[part + 1]).toBeGreaterThanOrEqual(bands[part]);
  });
});

describe('cholesky', () => {
  it('solves a 3 x 3 system with a known answer', () => {
    // A = [[4, 2, 0], [2, 5, 1], [0, 1, 3]], x = [1, -1, 2] gives b = A x = [2, -1, 5].
    const matrix = Float64Array.from([4, 0, 0, 2, 5, 0, 0, 1, 3]);
    const vector = Float64Array.from([2, -1, 5]);
    expect(choleskyFactor(matrix, 3)).toBe(true);
    choleskySolve(matrix, 3, vector);
    expect(maxAbsDifference(vector, [1, -1, 2])).toBeLessThan(1e-12);
  });

  it('rejects a singular matrix', () => {
    // Rank one: [[1, 1], [1, 1]].
    expect(choleskyFactor(Float64Array.from([1, 0, 1, 1]), 2)).toBe(false);
  });

  it('rejects an indefinite matrix', () => {
    expect(choleskyFactor(Float64Array.from([1, 0, 2, 1]), 2)).toBe(false);
  });

  it('matches the dense solve of every row', () => {
    const system = randomSystem(5);
    const target = new Float32Array(12 * 5);
    expect(solveRowsCholesky(system, 0.1, target, 0, 12, createCholeskyScratch(5))).toBeNull();
    for (let row = 0; row < 12; row++) {
      const expected = system.indptr[row] === system.indptr[row + 1] ? new Float64Array(5) : denseRowSolution(system, row, 0.1);
      expect(maxAbsDifference(target.subarray(row * 5, row * 5 + 5), expected)).toBeLessThan(CHOLESKY_VS_DENSE_ABS);
    }
  });

  it('names a row whose normal equations are singular', () => {
    // Collinear item factors and regularization 0: A = sum c y y^T has rank 1 in two dimensions.
    const system: RowSystem = {
      indptr: Uint32Array.from([0, 0, 2]),
      indices: Uint32Array.from([0, 1]),
      data: Float32Array.from([2, 3]),
      otherFactors: Float32Array.from([1, 1, 2, 2]),
      gram: Float64Array.from([5, 5, 5, 5]),
      factors: 2,
    };
    const target = new Float32Array(4).fill(7);
    expect(solveRowsCholesky(system, 0, target, 0, 2, createCholeskyScratch(2))).toEqual({ row: 1, reason: 'not_positive_definite' });
    // Row 0 is empty and was solved first: zero factors.
    expect(Array.from(target.subarray(0, 2))).toEqual([0, 0]);
  });
});

describe('solveRowsCg', () => {
  it('solves a 1 x 2 problem to the hand-computed answer', () => {
    // One user with item 0 at confidence 2, items y0 = 1 and y1 = 2, lambda = 0.1:
    // A = y0^2 + y1^2 + lambda + (2 - 1) y0^2 = 6.1, b = 2 y0 = 2, x = 2 / 6.1.
    const system: RowSystem = {
      indptr: Uint32Array.from([0, 1]),
      indices: Uint32Array.from([0]),
      data: Float32Array.from([2]),
      otherFactors: Float32Array.from([1, 2]),
      gram: Float64Array.from([5]),
      factors: 1,
    };
    const target = Float32Array.from([0.5]);
    expect(solveRowsCg(system, 0.1, 3, target, 0, 1, createCgScratch(1))).toBeNull();
    expect(target[0]).toBeCloseTo(2 / 6.1, -Math.log10(KNOWN_ANSWER_ABS));
  });

  it('moves closer to the exact solution with every step', () => {
    const system = randomSystem(6, 9);
    const exact = new Float32Array(12 * 6);
    solveRowsCholesky(system, 0.05, exact, 0, 12, createCholeskyScratch(6));
    const start = randomFactors(12, 6, 3, 0.01);

    const errors = [1, 2, 4, 6].map((steps) => {
      const target = start.slice();
      expect(solveRowsCg(system, 0.05, steps, target, 0, 12, createCgScratch(6))).toBeNull();
      return maxAbsDifference(target, exact);
    });
    for (let k = 1; k < errors.length; k++) expect(errors[k]).toBeLessThan(errors[k - 1]);
    // CG on a 6 x 6 system is exact after 6 steps, up to rounding.
    expect(errors[3]).toBeLessThan(CHOLESKY_VS_DENSE_ABS);
  });

  it('gives rows with no items zero factors', () => {
    // Rows 0 and 2 have items, row 1 has none.
    const userItems = csrFromDense([
      [2, 0, 3],
      [0, 0, 0],
      [0, 4, 0],
    ]);
    const otherFactors = randomFactors(3, 2, 8);
    const gram = new Float64Array(4);
    computeGram(otherFactors, 2, 3, gram);
    const system: RowSystem = { indptr: userItems.indptr, indices: userItems.indices, data: userItems.data, otherFactors, gram, factors: 2 };
    const target = new Float32Array(6).fill(0.5);
    expect(solveRowsCg(system, 0.1, 3, target, 0, 3, createCgScratch(2))).toBeNull();
    expect(Array.from(target.subarray(2, 4))).toEqual([0, 0]);
    expect(target[0]).not.toBe(0.5);
  });

  it('names the first row that turns non-finite', () => {
    const system = randomSystem(3);
    const data = system.data.slice();
    const row = 4;
    data[system.indptr[row]] = Infinity;
    const target = new Float32Array(12 * 3).fill(0.01);
    expect(solveRowsCg({ ...system, data }, 0.1, 3, target, 0, 12, createCgScratch(3))).toEqual({ row, reason: 'non_finite_factors' });
  });
});
