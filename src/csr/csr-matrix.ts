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

/**
 * The CSR arrays as the CsrMatrix constructor accepts them. Uint32Array and Float32Array fields are
 * used as they are. Plain number arrays, and at run time other typed arrays, are copied into them
 * after every element is checked.
 */
export interface CsrInput {
  indptr: Uint32Array | readonly number[];
  indices: Uint32Array | readonly number[];
  data: Float32Array | readonly number[];
  shape: readonly [number, number];
}

/** Values kept elsewhere (an open model file) until a CsrMatrix first needs them. */
export interface DeferredValues {
  /** Returns all nnz values; the matrix calls it once and keeps the result. */
  readAll(): Float32Array;
  /** Returns values [start, end) in a new array, without keeping them. */
  readRange(start: number, end: number): Float32Array;
}

const MAX_UINT32 = 2 ** 32 - 1;
const INDEX_ARRAY = `a Uint32Array or an array of integers in [0, ${MAX_UINT32}]`;
const VALUE_ARRAY = 'a Float32Array or an array of finite numbers within the float32 range (about ±3.4e38)';

/** A sparse matrix in CSR form with float32 values. Immutable by convention: methods return new matrices. */
export class CsrMatrix {
  readonly indptr: Uint32Array;
  readonly indices: Uint32Array;
  readonly nRows: number;
  readonly nCols: number;
  /** The stored values; undefined until first use when they come from a DeferredValues source. */
  private values: Float32Array | undefined;
  private deferred: DeferredValues | undefined;

  /**
   * Wraps Uint32Array and Float32Array fields without copying them, and copies other arrays (see
   * CsrInput). Validates the structure unless `validate` is false, which internal builders that
   * already guarantee it may pass for speed. Throws InputError `invalid_csr` naming the first
   * field or element that is invalid.
   *
   * @example
   * const matrix = new CsrMatrix({ indptr: [0, 1, 1], indices: [2], data: [5], shape: [2, 3] });
   */
  constructor(input: CsrInput, options: { validate?: boolean } = {}) {
    const parts = toCsrParts(input);
    if (options.validate !== false) validateCsr(parts);
    this.indptr = parts.indptr;
    this.indices = parts.indices;
    this.values = parts.data;
    this.nRows = parts.shape[0];
    this.nCols = parts.shape[1];
  }

  /**
   * Wraps indptr and indices, which the caller has validated, with values that `source` reads on
   * first use. Code that needs only the structure (filtering already-liked items) never reads them.
   */
  static withDeferredValues(structure: Omit<CsrParts, 'data'>, source: DeferredValues): CsrMatrix {
    const matrix = new CsrMatrix({ ...structure, data: new Float32Array(0) }, { validate: false });
    matrix.values = undefined;
    matrix.deferred = source;
    return matrix;
  }

  /** Stored values, one per index. Deferred values are read in full on the first access and kept. */
  get data(): Float32Array {
    this.values ??= (this.deferred as DeferredValues).readAll();
    return this.values;
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

  /**
   * Views (no copies) of one row's column indices and values. While the values are deferred, `data`
   * reads just this row's values when it is first accessed, so reading `indices` alone reads nothing.
   */
  row(row: number): { indices: Uint32Array; data: Float32Array } {
    const start = this.indptr[row];
    const end = this.indptr[row + 1];
    const indices = this.indices.subarray(start, end);
    const source = this.deferred;
    if (this.values !== undefined || source === undefined) return { indices, data: this.data.subarray(start, end) };
    let data: Float32Array | undefined;
    return {
      indices,
      get data() {
        data ??= source.readRange(start, end);
        return data;
      },
    };
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
    const data = this.data;
    const out = new Float32Array(data.length);
    for (let r = 0; r < this.nRows; r++) {
      for (let k = this.indptr[r]; k < this.indptr[r + 1]; k++) out[k] = fn(data[k], r, this.indices[k]);
    }
    return new CsrMatrix({ indptr: this.indptr, indices: this.indices, data: out, shape: this.shape }, { validate: false });
  }

  /** Returns a matrix without the stored zeros, as scipy's eliminate_zeros does, or this matrix when it stores none. */
  eliminateZeros(): CsrMatrix {
    const { nRows, indptr, indices, data } = this;
    let zeros = 0;
    for (let k = 0; k < data.length; k++) {
      if (data[k] === 0) zeros++;
    }
    if (zeros === 0) return this;

    const outIndptr = new Uint32Array(nRows + 1);
    const outIndices = new Uint32Array(data.length - zeros);
    const outData = new Float32Array(data.length - zeros);
    let write = 0;
    for (let r = 0; r < nRows; r++) {
      for (let k = indptr[r]; k < indptr[r + 1]; k++) {
        if (data[k] === 0) continue;
        outIndices[write] = indices[k];
        outData[write] = data[k];
        write++;
      }
      outIndptr[r + 1] = write;
    }
    return new CsrMatrix({ indptr: outIndptr, indices: outIndices, data: outData, shape: this.shape }, { validate: false });
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
  checkFieldTypes(parts);
  const { indptr, indices, data, shape } = parts;
  const [nRows, nCols] = shape;
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

function fail(message: string, details: Record<string, unknown> = {}): never {
  throw new InputError('invalid_csr', `invalid CSR matrix: ${message}`, details);
}

/** Returns `input` with typed-array fields, copying and checking any other array. */
function toCsrParts(input: CsrInput): CsrParts {
  if (typeof input !== 'object' || input === null) fail(`expected an object { indptr, indices, data, shape }, received ${describeKind(input)}`);
  const { indptr, indices, data, shape } = input;
  return {
    indptr: indptr instanceof Uint32Array ? indptr : Uint32Array.from(checkedElements(indptr, 'indptr', isUint32, 'an integer in [0, 4294967295]')),
    indices: indices instanceof Uint32Array ? indices : Uint32Array.from(checkedElements(indices, 'indices', isUint32, 'an integer in [0, 4294967295]')),
    data: data instanceof Float32Array ? data : Float32Array.from(checkedElements(data, 'data', isFloat32, 'a finite number within about ±3.4e38')),
    shape,
  };
}

/** Returns `array` after checking that it is an array or typed array whose every element passes `isValid`. */
function checkedElements(array: unknown, field: string, isValid: (value: unknown) => boolean, expected: string): ArrayLike<number> {
  if (!isArrayOrTypedArray(array)) fail(`${field} is ${describeKind(array)}; expected ${field === 'data' ? VALUE_ARRAY : INDEX_ARRAY}`, { where: field });
  for (let k = 0; k < array.length; k++) {
    if (!isValid(array[k])) fail(`${field}[${k}] is ${describeElement(array[k])}; expected ${expected}`, { where: `${field}[${k}]`, received: describeElement(array[k]), expected });
  }
  return array as ArrayLike<number>;
}

/** Throws unless the fields have the types of CsrParts and shape is a pair, so the checks after it cannot hit a TypeError. */
function checkFieldTypes(parts: CsrParts): void {
  if (typeof parts !== 'object' || parts === null) fail(`expected an object { indptr, indices, data, shape }, received ${describeKind(parts)}`);
  const fields: [string, unknown, string][] = [
    ['indptr', parts.indptr, 'Uint32Array'],
    ['indices', parts.indices, 'Uint32Array'],
    ['data', parts.data, 'Float32Array'],
  ];
  for (const [field, value, type] of fields) {
    const isExpectedType = type === 'Float32Array' ? value instanceof Float32Array : value instanceof Uint32Array;
    if (!isExpectedType) fail(`${field} is ${describeKind(value)}; expected a ${type}`, { where: field, expected: type });
  }
  const { shape } = parts;
  if (!Array.isArray(shape) || shape.length !== 2) fail(`shape is ${describeKind(shape)}; expected [nRows, nCols]`, { where: 'shape' });
}

function isArrayOrTypedArray(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}

function isUint32(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_UINT32;
}

function isFloat32(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(Math.fround(value));
}

/** Names the kind of `value` for messages: "an Array of length 3", "an Int32Array", "a string", "undefined". */
function describeKind(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `an Array of length ${value.length}`;
  const name = typeof value === 'object' ? ((value.constructor as { name?: string } | undefined)?.name ?? 'object') : typeof value;
  return `${/^[aeiouAEIOU]/.test(name) ? 'an' : 'a'} ${name}`;
}

function describeElement(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
