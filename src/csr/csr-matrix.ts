// The compressed sparse row matrix shared by every module: users x items (userItems) or its
// transpose (itemUsers). Column indices are sorted and unique within each row.

import { InputError } from '../errors.js';

/** The three CSR arrays and the shape, as accepted by the CsrMatrix constructor. */
export interface CsrParts {
  /** Row start offsets into indices/data, length nRows + 1, indptr[0] = 0, non-decreasing. */
  indptr: Uint32Array;
  /** Column index of each stored value, sorted and unique within a row. */
  indices: Uint32Array;
  /** Stored values, one per index. */
  data: Float32Array;
  /** [nRows, nCols]. */
  shape: readonly [number, number];
}

/** A sparse matrix in CSR form with float32 values. Immutable by convention: methods return new matrices. */
export class CsrMatrix {
  readonly indptr: Uint32Array;
  readonly indices: Uint32Array;
  readonly data: Float32Array;
  readonly nRows: number;
  readonly nCols: number;

  /**
   * Wraps the arrays without copying them. Validates the structure unless `validate` is false,
   * which internal builders that already guarantee it may pass for speed.
   */
  constructor(parts: CsrParts, options: { validate?: boolean } = {}) {
    this.indptr = parts.indptr;
    this.indices = parts.indices;
    this.data = parts.data;
    this.nRows = parts.shape[0];
    this.nCols = parts.shape[1];
    if (options.validate !== false) validateCsr(parts);
  }

  /** Number of stored values. */
  get nnz(): number {
    return this.indptr[this.nRows];
  }

  get shape(): [number, number] {
    return [this.nRows, this.nCols];
  }

  /** Number of stored values in row `row`. */
  rowLength(row: number): number {
    return this.indptr[row + 1] - this.indptr[row];
  }

  /** Views (no copies) of one row's column indices and values. */
  row(row: number): { indices: Uint32Array; data: Float32Array } {
    const start = this.indptr[row];
    const end = this.indptr[row + 1];
    return { indices: this.indices.subarray(start, end), data: this.data.subarray(start, end) };
  }

  /** Returns the transpose (CSC of this matrix read as CSR), with sorted indices, in O(nnz + nRows + nCols). */
  transpose(): CsrMatrix {
    const { nRows, nCols, indptr, indices, data } = this;
    const nnz = this.nnz;
    const outIndptr = new Uint32Array(nCols + 1);
    for (let k = 0; k < nnz; k++) outIndptr[indices[k] + 1]++;
    for (let c = 0; c < nCols; c++) outIndptr[c + 1] += outIndptr[c];

    // Walking rows in order appends each column's entries in increasing row order, so they stay sorted.
    const cursor = outIndptr.slice(0, nCols);
    const outIndices = new Uint32Array(nnz);
    const outData = new Float32Array(nnz);
    for (let r = 0; r < nRows; r++) {
      for (let k = indptr[r]; k < indptr[r + 1]; k++) {
        const position = cursor[indices[k]]++;
        outIndices[position] = r;
        outData[position] = data[k];
      }
    }
    return new CsrMatrix({ indptr: outIndptr, indices: outIndices, data: outData, shape: [nCols, nRows] }, { validate: false });
  }

  /** Returns a matrix with the same structure and `fn` applied to each value. */
  mapData(fn: (value: number, row: number, col: number) => number): CsrMatrix {
    const out = new Float32Array(this.data.length);
    for (let r = 0; r < this.nRows; r++) {
      for (let k = this.indptr[r]; k < this.indptr[r + 1]; k++) out[k] = fn(this.data[k], r, this.indices[k]);
    }
    return new CsrMatrix({ indptr: this.indptr, indices: this.indices, data: out, shape: this.shape }, { validate: false });
  }

  /** Returns the value at (row, col), or 0 when it is not stored. Binary search within the row. */
  get(row: number, col: number): number {
    let lo = this.indptr[row];
    let hi = this.indptr[row + 1];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.indices[mid];
      if (c === col) return this.data[mid];
      if (c < col) lo = mid + 1;
      else hi = mid;
    }
    return 0;
  }
}

/** Checks the CSR invariants and throws InputError (code invalid_csr) naming the first violation. */
export function validateCsr(parts: CsrParts): void {
  const { indptr, indices, data, shape } = parts;
  const [nRows, nCols] = shape;
  const fail = (message: string, details: Record<string, unknown> = {}): never => {
    throw new InputError('invalid_csr', `invalid CSR matrix: ${message}`, details);
  };
  if (!Number.isInteger(nRows) || nRows < 0 || !Number.isInteger(nCols) || nCols < 0) {
    fail(`shape must be two non-negative integers, received [${nRows}, ${nCols}]`);
  }
  if (indptr.length !== nRows + 1) fail(`indptr has length ${indptr.length}, expected nRows + 1 = ${nRows + 1}`);
  if (indptr[0] !== 0) fail(`indptr[0] is ${indptr[0]}, expected 0`);
  const nnz = indptr[nRows];
  if (indices.length !== nnz || data.length !== nnz) {
    fail(`indptr[nRows] is ${nnz} but indices has ${indices.length} and data has ${data.length} entries; all three must agree`);
  }
  for (let r = 0; r < nRows; r++) {
    const start = indptr[r];
    const end = indptr[r + 1];
    if (end < start) fail(`indptr decreases at row ${r} (${start} then ${end})`, { row: r });
    for (let k = start; k < end; k++) {
      const c = indices[k];
      if (c >= nCols) fail(`column index ${c} in row ${r} is out of range for ${nCols} columns`, { row: r, col: c });
      if (k > start && c <= indices[k - 1]) {
        fail(`column indices in row ${r} are not sorted and unique (${indices[k - 1]} then ${c}); build the matrix with csrFromTriplets, which sorts and sums duplicates`, { row: r });
      }
      if (!Number.isFinite(data[k])) fail(`value at row ${r}, column ${c} is ${data[k]}, expected a finite number`, { row: r, col: c });
    }
  }
}
