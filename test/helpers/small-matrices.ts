// Small hand-made and seeded random matrices for the ALS and top-N tests.

import { CsrMatrix } from '../../src/csr/csr-matrix.js';
import { Random } from '../../src/random.js';

/** Builds a CsrMatrix from dense rows; zeros are not stored. */
export function csrFromDense(rows: readonly (readonly number[])[], nCols = rows[0]?.length ?? 0): CsrMatrix {
  const indptr = new Uint32Array(rows.length + 1);
  const indices: number[] = [];
  const data: number[] = [];
  rows.forEach((row, r) => {
    row.forEach((value, c) => {
      if (value !== 0) {
        indices.push(c);
        data.push(value);
      }
    });
    indptr[r + 1] = indices.length;
  });
  return new CsrMatrix({ indptr, indices: Uint32Array.from(indices), data: Float32Array.from(data), shape: [rows.length, nCols] });
}

/** Returns a seeded random nRows x nCols matrix with about `density` of its cells stored, values 1 to 5. */
export function randomSparse(nRows: number, nCols: number, density: number, seed: number): CsrMatrix {
  const random = new Random(seed);
  const rows = Array.from({ length: nRows }, () => Array.from({ length: nCols }, () => (random.next() < density ? 1 + random.nextInt(5) : 0)));
  return csrFromDense(rows, nCols);
}

/** Row-major random values uniform in [-scale, scale). */
export function randomFactors(rows: number, factors: number, seed: number, scale = 1): Float32Array {
  const random = new Random(seed);
  return Float32Array.from({ length: rows * factors }, () => (2 * random.next() - 1) * scale);
}
