// Builds a CSR matrix with some rows replaced, for partial fits that change a user's or item's interactions.

import { CsrMatrix } from '../csr/csr-matrix.js';

/** A replacement row: sorted unique column indices and their values. */
export interface CsrRow {
  indices: Uint32Array;
  values: Float32Array;
}

/**
 * Returns a nRows x nCols matrix equal to `matrix` (which may have fewer rows and columns) with row
 * rows[k] replaced by replacements[k]. Rows past matrix.nRows that are not replaced are empty.
 * Costs one pass over the stored values: O(nnz + nRows).
 */
export function replaceCsrRows(matrix: CsrMatrix, rows: readonly number[], replacements: readonly CsrRow[], nRows: number, nCols: number): CsrMatrix {
  const replaced = new Map<number, CsrRow>();
  rows.forEach((row, k) => replaced.set(row, replacements[k]));

  const rowLength = (row: number) => replaced.get(row)?.indices.length ?? (row < matrix.nRows ? matrix.rowLength(row) : 0);
  const indptr = new Uint32Array(nRows + 1);
  for (let row = 0; row < nRows; row++) indptr[row + 1] = indptr[row] + rowLength(row);

  const indices = new Uint32Array(indptr[nRows]);
  const data = new Float32Array(indptr[nRows]);
  // The values are taken once: a loaded model's matrix reads them from its file on first use, and
  // row() would read each row separately.
  const source = { indptr: matrix.indptr, indices: matrix.indices, data: matrix.data };
  for (let row = 0; row < nRows; row++) {
    const replacement = replaced.get(row);
    if (replacement !== undefined) {
      indices.set(replacement.indices, indptr[row]);
      data.set(replacement.values, indptr[row]);
    } else if (row < matrix.nRows) {
      const start = source.indptr[row];
      const end = source.indptr[row + 1];
      indices.set(source.indices.subarray(start, end), indptr[row]);
      data.set(source.data.subarray(start, end), indptr[row]);
    }
  }
  return new CsrMatrix({ indptr, indices, data, shape: [nRows, nCols] }, { validate: false });
}
