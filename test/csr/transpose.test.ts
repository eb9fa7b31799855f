import { describe, expect, it } from 'vitest';
import { csrFromTriplets } from '../../src/csr/build.js';
import { validateCsr } from '../../src/csr/csr-matrix.js';
import { Random } from '../../src/random.js';

describe('CsrMatrix.transpose', () => {
  it('transposes a hand-written 3x4 matrix', () => {
    // [[1, 0, 2, 0],
    //  [0, 0, 3, 4],
    //  [5, 0, 0, 0]]
    const userItems = csrFromTriplets([0, 0, 1, 1, 2], [0, 2, 2, 3, 0], [1, 2, 3, 4, 5], [3, 4]);
    const itemUsers = userItems.transpose();
    expect(itemUsers.shape).toEqual([4, 3]);
    expect(Array.from(itemUsers.indptr)).toEqual([0, 2, 2, 4, 5]);
    expect(Array.from(itemUsers.indices)).toEqual([0, 2, 0, 1, 1]);
    expect(Array.from(itemUsers.data)).toEqual([1, 5, 2, 3, 4]);
  });

  it('round-trips a random matrix', () => {
    const random = new Random(3);
    const rows: number[] = [];
    const cols: number[] = [];
    const values: number[] = [];
    for (let k = 0; k < 400; k++) {
      rows.push(random.nextInt(30));
      cols.push(random.nextInt(50));
      values.push(random.nextInt(100) + 1);
    }
    const matrix = csrFromTriplets(rows, cols, values, [30, 50]);
    const transposed = matrix.transpose();
    expect(() => validateCsr(transposed)).not.toThrow();
    for (let r = 0; r < 30; r++) {
      for (let c = 0; c < 50; c++) expect(transposed.get(c, r)).toBe(matrix.get(r, c));
    }
    const back = transposed.transpose();
    expect(Array.from(back.indptr)).toEqual(Array.from(matrix.indptr));
    expect(Array.from(back.indices)).toEqual(Array.from(matrix.indices));
    expect(Array.from(back.data)).toEqual(Array.from(matrix.data));
  });
});
