import { describe, expect, it } from 'vitest';
import { buildCsr, csrFromTriplets } from '../../src/csr/build.js';
import { validateCsr } from '../../src/csr/csr-matrix.js';
import { InputError } from '../../src/errors.js';
import { Random } from '../../src/random.js';

function toDense(rows: number[], cols: number[], values: number[], shape: [number, number]): number[][] {
  const dense = Array.from({ length: shape[0] }, () => new Array<number>(shape[1]).fill(0));
  rows.forEach((row, k) => (dense[row][cols[k]] += values[k]));
  return dense;
}

describe('csrFromTriplets', () => {
  it('sorts indices within rows and sums duplicates', () => {
    const matrix = csrFromTriplets([1, 0, 0, 1, 0, 1], [2, 3, 0, 0, 3, 2], [1, 2, 3, 4, 5, 6], [3, 4]);
    expect(Array.from(matrix.indptr)).toEqual([0, 2, 4, 4]);
    expect(Array.from(matrix.indices)).toEqual([0, 3, 0, 2]);
    expect(Array.from(matrix.data)).toEqual([3, 7, 4, 7]);
    expect(matrix.shape).toEqual([3, 4]);
  });

  it('reports the number of summed duplicates', () => {
    const { matrix, duplicatesSummed } = buildCsr([0, 0, 0, 1], [1, 1, 1, 0], [1, 1, 1, 1], [2, 2]);
    expect(duplicatesSummed).toBe(2);
    expect(matrix.nnz).toBe(2);
    expect(matrix.get(0, 1)).toBe(3);
    expect(matrix.indices.length).toBe(2);
  });

  it('keeps a cell that sums to zero as a stored zero', () => {
    const matrix = csrFromTriplets([0, 0], [0, 0], [2, -2], [1, 1]);
    expect(matrix.nnz).toBe(1);
    expect(matrix.data[0]).toBe(0);
  });

  it('builds empty matrices', () => {
    const matrix = csrFromTriplets([], [], [], [2, 5]);
    expect(Array.from(matrix.indptr)).toEqual([0, 0, 0]);
    expect(matrix.nnz).toBe(0);
    expect(csrFromTriplets([], [], [], [0, 0]).indptr.length).toBe(1);
  });

  it('matches a dense reference on a random matrix with long rows', () => {
    const random = new Random(7);
    const shape: [number, number] = [5, 60];
    const rows: number[] = [];
    const cols: number[] = [];
    const values: number[] = [];
    // Row 0 gets 500 entries over 60 columns, so the quicksort path meets many equal keys.
    for (let k = 0; k < 900; k++) {
      rows.push(k < 500 ? 0 : random.nextInt(shape[0]));
      cols.push(random.nextInt(shape[1]));
      values.push(1 + random.nextInt(9));
    }
    const matrix = csrFromTriplets(rows, cols, values, shape);
    expect(() => validateCsr(matrix)).not.toThrow();
    const dense = toDense(rows, cols, values, shape);
    for (let r = 0; r < shape[0]; r++) {
      for (let c = 0; c < shape[1]; c++) expect(matrix.get(r, c)).toBe(dense[r][c]);
    }
    const storedCells = dense.flat().filter((value) => value !== 0).length;
    expect(matrix.nnz).toBe(storedCells);
  });

  it('sums a run of duplicates in float64 before rounding to float32', () => {
    const count = 1 << 13;
    const matrix = csrFromTriplets(new Array(count).fill(0), new Array(count).fill(0), new Array(count).fill(0.1), [1, 1]);
    expect(matrix.data[0]).toBe(Math.fround(Math.fround(0.1) * count));
  });

  it('rejects a value that overflows float32', () => {
    expect(() => csrFromTriplets([0, 0], [0, 1], [1, 1e39], [1, 2])).toThrow(
      'value 1e+39 of triplet 1 overflows float32, whose maximum is about 3.4e38; scale the values down',
    );
  });

  it('rejects duplicates whose sum overflows float32', () => {
    const sum = 3 * Math.fround(2e38);
    expect(() => csrFromTriplets([0, 1, 1, 1], [0, 1, 1, 1], [1, 2e38, 2e38, 2e38], [2, 2])).toThrow(
      `the 3 values for row 1, column 1 sum to ${sum}, which overflows float32, whose maximum is about 3.4e38; scale the values down`,
    );
    expect(() => buildCsr([0, 0], [1, 1], [-3e38, -3e38], [1, 2], (row, col) => `cell ${row}/${col}`)).toThrow(
      `the 2 values for cell 0/1 sum to ${2 * Math.fround(-3e38)}, which overflows float32`,
    );
  });

  it('rejects arrays of different lengths', () => {
    expect(() => csrFromTriplets([0, 1], [0], [1, 1], [2, 2])).toThrow(
      'triplet arrays differ in length: 2 rows, 1 cols and 2 values; pass one row, column and value per entry',
    );
  });

  it('rejects indices outside the shape', () => {
    expect(() => csrFromTriplets([0, 2], [0, 0], [1, 1], [2, 2])).toThrow('row index 2 of triplet 1 is outside the 2 rows of shape [2, 2]');
    expect(() => csrFromTriplets([0], [-1], [1], [2, 2])).toThrow('column index -1 of triplet 0 is outside the 2 columns of shape [2, 2]');
    expect(() => csrFromTriplets([0.5], [0], [1], [2, 2])).toThrow(InputError);
  });

  it('rejects values that are not finite', () => {
    let error: unknown;
    try {
      csrFromTriplets([0, 1], [0, 1], [1, Number.NaN], [2, 2]);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe('invalid_triplets');
    expect((error as InputError).message).toBe('value NaN of triplet 1 is not finite; expected a finite number');
  });

  it('rejects an invalid shape', () => {
    expect(() => csrFromTriplets([], [], [], [-1, 2])).toThrow('shape [-1, 2] is invalid; expected two integers in [0, 4294967295]');
  });

  it('rejects invalid typed triplet arrays with the same messages', () => {
    const typed = (rows: number[], cols: number[], values: number[]) => () =>
      csrFromTriplets(Uint32Array.from(rows), Uint32Array.from(cols), Float32Array.from(values), [2, 2]);
    expect(typed([0, 2], [0, 0], [1, 1])).toThrow('row index 2 of triplet 1 is outside the 2 rows of shape [2, 2]');
    expect(typed([0, 1], [0, 5], [1, 1])).toThrow('column index 5 of triplet 1 is outside the 2 columns of shape [2, 2]');
    expect(typed([0, 1], [0, 1], [1, Number.NaN])).toThrow('value NaN of triplet 1 is not finite; expected a finite number');
    expect(typed([0, 1], [0, 1], [Number.POSITIVE_INFINITY, 1])).toThrow('value Infinity of triplet 0 is not finite; expected a finite number');
  });

  it('builds the same matrix from rows in order and out of order', () => {
    const random = new Random(7);
    const grouped = Array.from({ length: 400 }, (_, k) => [Math.floor(k / 20), random.nextInt(30), 1 + random.nextInt(9)]);
    const shuffled = grouped.slice().reverse();
    const build = (triplets: number[][]) => {
      const matrix = csrFromTriplets(
        Uint32Array.from(triplets, (t) => t[0]),
        Uint32Array.from(triplets, (t) => t[1]),
        Float32Array.from(triplets, (t) => t[2]),
        [20, 30],
      );
      return { indptr: Array.from(matrix.indptr), indices: Array.from(matrix.indices), data: Array.from(matrix.data) };
    };
    expect(build(grouped)).toEqual(build(shuffled));
    expect(build(grouped).indptr[20]).toBeLessThanOrEqual(400);
  });
});
