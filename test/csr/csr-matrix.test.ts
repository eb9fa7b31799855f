import { describe, expect, it } from 'vitest';
import { CsrMatrix, type CsrInput, type CsrParts, validateCsr } from '../../src/csr/csr-matrix.js';
import { InputError } from '../../src/errors.js';

/** Runs `build`, expecting InputError `invalid_csr` with exactly `message`; returns the error. */
function expectInvalidCsr(build: () => unknown, message: string): InputError {
  let caught: unknown;
  try {
    build();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InputError);
  const error = caught as InputError;
  expect(error.message).toBe(message);
  expect(error.code).toBe('invalid_csr');
  return error;
}

/** Passes a value of the wrong type, as JavaScript callers can. */
function untyped(input: Record<string, unknown>): CsrInput {
  return input as unknown as CsrInput;
}

describe('CsrMatrix from plain arrays', () => {
  it('copies number arrays into typed arrays', () => {
    const matrix = new CsrMatrix({ indptr: [0, 1], indices: [0], data: [1], shape: [1, 1] });
    expect(matrix.indptr).toBeInstanceOf(Uint32Array);
    expect(matrix.indices).toBeInstanceOf(Uint32Array);
    expect(matrix.data).toBeInstanceOf(Float32Array);
    expect(matrix.get(0, 0)).toBe(1);
    expect(matrix.row(0).indices).toEqual(Uint32Array.of(0));
  });

  it('copies other typed arrays and keeps the expected ones', () => {
    const indptr = Uint32Array.of(0, 1, 2);
    const matrix = new CsrMatrix(untyped({ indptr, indices: Int32Array.of(2, 0), data: Float64Array.of(0.5, 3), shape: [2, 3] }));
    expect(matrix.indptr).toBe(indptr);
    expect(matrix.indices).toBeInstanceOf(Uint32Array);
    expect(matrix.get(0, 2)).toBe(0.5);
    expect(matrix.get(1, 0)).toBe(3);
  });

  it('validates the structure after copying', () => {
    expectInvalidCsr(
      () => new CsrMatrix({ indptr: [0, 2], indices: [0], data: [1], shape: [1, 1] }),
      'invalid CSR matrix: indptr[nRows] is 2 but indices has 1 and data has 1 entries; all three must agree',
    );
    expectInvalidCsr(
      () => new CsrMatrix({ indptr: [0, 2], indices: [1, 0], data: [1, 1], shape: [1, 2] }),
      'invalid CSR matrix: column indices in row 0 are not sorted and unique (1 then 0); build the matrix with csrFromTriplets, which sorts and sums duplicates',
    );
  });

  it.each([
    ['indptr string', { indptr: 'abc' }, 'indptr is a string; expected a Uint32Array or an array of integers in [0, 4294967295]'],
    ['indptr undefined', { indptr: undefined }, 'indptr is undefined; expected a Uint32Array or an array of integers in [0, 4294967295]'],
    ['negative index', { indices: [-1] }, 'indices[0] is -1; expected an integer in [0, 4294967295]'],
    ['fractional index', { indices: [0.5] }, 'indices[0] is 0.5; expected an integer in [0, 4294967295]'],
    ['string index', { indices: ['0'] }, 'indices[0] is "0"; expected an integer in [0, 4294967295]'],
    ['data null', { data: null }, 'data is null; expected a Float32Array or an array of finite numbers within the float32 range (about ±3.4e38)'],
    ['array-like data', { data: { 0: 1, length: 1 } }, 'data is an Object; expected a Float32Array or an array of finite numbers within the float32 range (about ±3.4e38)'],
    ['NaN value', { data: [Number.NaN] }, 'data[0] is NaN; expected a finite number within about ±3.4e38'],
    ['float32 overflow', { data: [1e40] }, 'data[0] is 1e+40; expected a finite number within about ±3.4e38'],
  ])('rejects %s with the field named', (_label, override, problem) => {
    const input = { indptr: [0, 1], indices: [0], data: [1], shape: [1, 1], ...override };
    expectInvalidCsr(() => new CsrMatrix(untyped(input)), `invalid CSR matrix: ${problem}`);
  });

  it('rejects a missing shape and a missing object', () => {
    const error = expectInvalidCsr(() => new CsrMatrix(untyped({ indptr: [0], indices: [], data: [] })), 'invalid CSR matrix: shape is undefined; expected [nRows, nCols]');
    expect(error.details.where).toBe('shape');
    expectInvalidCsr(() => new CsrMatrix(untyped({ indptr: [0], indices: [], data: [], shape: [1, 2, 3] })), 'invalid CSR matrix: shape is an Array of length 3; expected [nRows, nCols]');
    expectInvalidCsr(() => new CsrMatrix(undefined as unknown as CsrInput), 'invalid CSR matrix: expected an object { indptr, indices, data, shape }, received undefined');
  });

  it('rejects plain arrays in validateCsr', () => {
    const parts = { indptr: [0, 1], indices: Uint32Array.of(0), data: Float32Array.of(1), shape: [1, 1] } as unknown as CsrParts;
    const error = expectInvalidCsr(() => validateCsr(parts), 'invalid CSR matrix: indptr is an Array of length 2; expected a Uint32Array');
    expect(error.details.where).toBe('indptr');
  });
});

describe('CsrMatrix.eliminateZeros', () => {
  it('drops stored zeros and keeps the shape', () => {
    const matrix = new CsrMatrix({ indptr: [0, 2, 2, 4], indices: [0, 2, 1, 2], data: [0, 3, 4, -0], shape: [3, 3] });
    const compact = matrix.eliminateZeros();
    expect(Array.from(compact.indptr)).toEqual([0, 1, 1, 2]);
    expect(Array.from(compact.indices)).toEqual([2, 1]);
    expect(Array.from(compact.data)).toEqual([3, 4]);
    expect(compact.shape).toEqual([3, 3]);
    expect(() => validateCsr(compact)).not.toThrow();
  });

  it('returns the matrix itself when it stores no zero', () => {
    const matrix = new CsrMatrix({ indptr: [0, 1], indices: [0], data: [2], shape: [1, 1] });
    expect(matrix.eliminateZeros()).toBe(matrix);
  });
});
