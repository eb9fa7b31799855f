// The WebAssembly Gram and CG kernels against the TypeScript reference kernels on random problems,
// including factor counts that are not a multiple of 4 and rows with no stored values.

import { beforeAll, describe, expect, it } from 'vitest';
import {
  computeGram,
  createCgScratch,
  createCholeskyScratch,
  solveRowsCg,
  solveRowsCholesky,
  type RowSystem,
} from '../../../src/backends/cpu/kernels/index.js';
import { maxAbsDifference } from '../../helpers/dense-als.js';
import { randomFactors, randomSparse } from '../../helpers/small-matrices.js';
import { CHOLESKY_VS_DENSE_ABS, GRAM_FLOAT32_BLOCK_RELATIVE } from '../../helpers/tolerance.js';
import { createWasmFixture, type WasmFixture } from './wasm-fixture.js';

let wasm: WasmFixture;

beforeAll(async () => {
  wasm = await createWasmFixture();
});

/** Runs the WebAssembly Gram kernel over `parts` bands and returns the upper triangle rows it wrote. */
function wasmGram(matrix: Float32Array, factors: number, bands: number[]): Float64Array {
  const rows = wasm.copy(matrix);
  const gram = wasm.arena.allocate(Float64Array, factors * factors);
  const scratch = wasm.arena.allocate(Float64Array, Math.ceil(wasm.kernels.gramScratchBytes(factors) / 8));
  for (let k = 0; k + 1 < bands.length; k++) {
    wasm.kernels.gramBand(rows.byteOffset, factors, matrix.length / factors, bands[k], bands[k + 1], gram.byteOffset, scratch.byteOffset);
  }
  return gram.slice();
}

describe('wasm gramBand', () => {
  it.each([
    [1, 5],
    [3, 130],
    [5, 64],
    [16, 200],
    [17, 65],
    [64, 300],
    [70, 129],
  ])('matches the float64 Gram at %i factors and %i rows', (factors, nRows) => {
    const matrix = randomFactors(nRows, factors, factors + nRows, 2);
    const expected = new Float64Array(factors * factors);
    computeGram(matrix, factors, nRows, expected);
    const bands = [0, Math.floor(factors / 3), Math.floor(factors / 2), factors];
    const gram = wasmGram(matrix, factors, bands);
    for (let a = 0; a < factors; a++) {
      for (let b = a; b < factors; b++) {
        let magnitude = 0;
        for (let r = 0; r < nRows; r++) magnitude += Math.abs(matrix[r * factors + a] * matrix[r * factors + b]);
        expect(Math.abs(gram[a * factors + b] - expected[a * factors + b])).toBeLessThanOrEqual(GRAM_FLOAT32_BLOCK_RELATIVE * magnitude);
      }
    }
  });

  it('writes zeros for a matrix with no rows', () => {
    const gram = wasmGram(new Float32Array(0), 6, [0, 6]);
    expect(Array.from(gram).every((value) => value === 0)).toBe(true);
  });

  it('leaves entries outside its band alone', () => {
    const matrix = randomFactors(40, 8, 3);
    const gram = wasmGram(matrix, 8, [2, 5]);
    expect(gram[0]).toBe(0);
    expect(gram[5 * 8 + 5]).toBe(0);
    expect(gram[2 * 8 + 2]).toBeGreaterThan(0);
    // Lower triangle entries are not written; mirroring is the caller's step.
    expect(gram[4 * 8 + 2]).toBe(0);
  });
});

/** Builds a random system of nRows rows over nColumns columns, with every fifth row empty. */
function randomSystem(nRows: number, nColumns: number, factors: number, seed: number): RowSystem {
  const sparse = randomSparse(nRows, nColumns, 0.3, seed).mapData((value) => 1 + 2 * value);
  const keep = (row: number) => row % 5 !== 4;
  const indptr = new Uint32Array(nRows + 1);
  const indices: number[] = [];
  const data: number[] = [];
  for (let row = 0; row < nRows; row++) {
    if (keep(row)) {
      const { indices: rowIndices, data: rowData } = sparse.row(row);
      indices.push(...rowIndices);
      data.push(...rowData);
    }
    indptr[row + 1] = indices.length;
  }
  const otherFactors = randomFactors(nColumns, factors, seed + 1, 0.5);
  const gram = new Float64Array(factors * factors);
  computeGram(otherFactors, factors, nColumns, gram);
  return { indptr, indices: Uint32Array.from(indices), data: Float32Array.from(data), otherFactors, gram, factors };
}

/** Runs the WebAssembly CG kernel over rows [rowStart, rowEnd) and returns the new factors and the failed row. */
function wasmCg(system: RowSystem, start: Float32Array, regularization: number, cgSteps: number, rowStart: number, rowEnd: number) {
  const target = wasm.copy(start);
  const scratch = wasm.arena.allocate(Float32Array, wasm.kernels.cgScratchBytes(system.factors) / 4);
  const gram = wasm.copy(system.gram);
  wasm.kernels.loadGramF32(gram.byteOffset, system.factors, scratch.byteOffset);
  const failedRow = wasm.kernels.solveRowsCg(
    wasm.copy(system.indptr).byteOffset,
    wasm.copy(system.indices).byteOffset,
    wasm.copy(system.data).byteOffset,
    wasm.copy(system.otherFactors).byteOffset,
    target.byteOffset,
    system.factors,
    rowStart,
    rowEnd,
    regularization,
    cgSteps,
    scratch.byteOffset,
  );
  return { factors: target.slice(), failedRow };
}

describe('wasm solveRowsCg', () => {
  it.each([1, 3, 4, 5, 13, 32, 37])('matches the TypeScript CG at %i factors', (factors) => {
    const system = randomSystem(30, 25, factors, factors);
    const start = randomFactors(30, factors, 100 + factors, 0.01);
    const expected = start.slice();
    expect(solveRowsCg(system, 0.1, 3, expected, 0, 30, createCgScratch(factors))).toBeNull();
    const result = wasmCg(system, start, 0.1, 3, 0, 30);
    expect(result.failedRow).toBe(-1);
    expect(maxAbsDifference(result.factors, expected)).toBeLessThan(CHOLESKY_VS_DENSE_ABS);
  });

  it('gives rows with no items zero factors', () => {
    const system = randomSystem(10, 12, 6, 2);
    const result = wasmCg(system, new Float32Array(60).fill(0.5), 0.1, 3, 0, 10);
    expect(Array.from(result.factors.subarray(4 * 6, 5 * 6))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(result.factors[0]).not.toBe(0.5);
  });

  it('solves only rows [rowStart, rowEnd)', () => {
    const system = randomSystem(12, 10, 5, 4);
    const start = new Float32Array(60).fill(0.25);
    const result = wasmCg(system, start, 0.1, 3, 3, 7);
    expect(Array.from(result.factors.subarray(0, 15))).toEqual(Array.from(start.subarray(0, 15)));
    expect(Array.from(result.factors.subarray(35))).toEqual(Array.from(start.subarray(35)));
  });

  it('converges to the Cholesky solution', () => {
    // In float32, CG loses the exact finish after `factors` steps that it has in exact arithmetic, so
    // it runs twice as many steps here. The TypeScript CG, in float64, is exact after 6.
    const system = randomSystem(20, 15, 6, 9);
    const exact = new Float32Array(20 * 6);
    solveRowsCholesky(system, 0.05, exact, 0, 20, createCholeskyScratch(6));
    const errors = [2, 4, 12].map((steps) => maxAbsDifference(wasmCg(system, randomFactors(20, 6, 3, 0.01), 0.05, steps, 0, 20).factors, exact));
    expect(errors[1]).toBeLessThan(errors[0]);
    expect(errors[2]).toBeLessThan(CHOLESKY_VS_DENSE_ABS);
  });

  it('names the first row that turns non-finite', () => {
    const system = randomSystem(12, 9, 3, 3);
    const data = system.data.slice();
    data[system.indptr[6]] = Infinity;
    const result = wasmCg({ ...system, data }, new Float32Array(36).fill(0.01), 0.1, 3, 0, 12);
    expect(result.failedRow).toBe(6);
  });
});
