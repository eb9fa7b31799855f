import { describe, expect, it } from 'vitest';
import { CsrMatrix, validateCsr } from '../../src/csr/csr-matrix.js';
import { leaveKOutSplit, trainTestSplit } from '../../src/evaluate/index.js';
import { csrFromRows, randomCsr, rowItems } from './fixtures.js';

/** Checks that train and test are valid, share no cell and together hold exactly the cells of `original`. */
function expectExactPartition(original: CsrMatrix, train: CsrMatrix, test: CsrMatrix): void {
  expect(train.shape).toEqual(original.shape);
  expect(test.shape).toEqual(original.shape);
  validateCsr(train);
  validateCsr(test);
  expect(train.nnz + test.nnz).toBe(original.nnz);
  for (let row = 0; row < original.nRows; row++) {
    const trainRow = train.row(row);
    const testRow = test.row(row);
    const inTrain = new Set(trainRow.indices);
    for (const item of testRow.indices) expect(inTrain.has(item)).toBe(false);
    trainRow.indices.forEach((item, i) => expect(trainRow.data[i]).toBe(original.get(row, item)));
    testRow.indices.forEach((item, i) => expect(testRow.data[i]).toBe(original.get(row, item)));
  }
}

function sameMatrix(a: CsrMatrix, b: CsrMatrix): boolean {
  const equal = (x: ArrayLike<number>, y: ArrayLike<number>) => x.length === y.length && Array.from(x).every((v, i) => v === y[i]);
  return equal(a.indptr, b.indptr) && equal(a.indices, b.indices) && equal(a.data, b.data);
}

describe('trainTestSplit', () => {
  const ratings = randomCsr(300, 200, 0.1, 11);

  it('partitions every stored value', () => {
    const { train, test } = trainTestSplit(ratings, { seed: 3 });
    expectExactPartition(ratings, train, test);
  });

  it('sends about testFraction to test', () => {
    // About 6000 stored values: the test share has a standard deviation of about 0.005.
    expect(ratings.nnz).toBeGreaterThan(5500);
    for (const testFraction of [0.1, 0.2, 0.5]) {
      const { test } = trainTestSplit(ratings, { testFraction, seed: 5 });
      expect(Math.abs(test.nnz / ratings.nnz - testFraction)).toBeLessThan(0.025);
    }
  });

  it('defaults testFraction to 0.2', () => {
    const { test } = trainTestSplit(ratings, { seed: 8 });
    expect(Math.abs(test.nnz / ratings.nnz - 0.2)).toBeLessThan(0.025);
  });

  it('repeats for a seed', () => {
    const first = trainTestSplit(ratings, { seed: 42 });
    const second = trainTestSplit(ratings, { seed: 42 });
    expect(sameMatrix(first.train, second.train)).toBe(true);
    expect(sameMatrix(first.test, second.test)).toBe(true);
    const other = trainTestSplit(ratings, { seed: 43 });
    expect(sameMatrix(first.test, other.test)).toBe(false);
  });

  it('drops non-positive values drawn for test', () => {
    const mixed = new CsrMatrix({
      indptr: Uint32Array.of(0, 4),
      indices: Uint32Array.of(0, 1, 2, 3),
      data: Float32Array.of(-1, 0, 2, 3),
      shape: [1, 4],
    });
    // With testFraction just below 1 every value is drawn for test; only the positive ones stay there.
    const { train, test } = trainTestSplit(mixed, { testFraction: 0.999999, seed: 1 });
    expect(train.nnz).toBe(0);
    expect(rowItems(test, 0)).toEqual([2, 3]);
    expect(Array.from(test.data)).toEqual([2, 3]);
  });

  it('keeps empty rows and columns', () => {
    const sparse = csrFromRows([[], [4], []], 9);
    const { train, test } = trainTestSplit(sparse, { seed: 2 });
    expectExactPartition(sparse, train, test);
  });
});

describe('leaveKOutSplit', () => {
  it('holds out k items only from users with more than k + 1', () => {
    // Row r has r items; with k = 2 only rows with 4 or more items are eligible.
    const rows = Array.from({ length: 7 }, (_, r) => Array.from({ length: r }, (_, i) => i));
    const ratings = csrFromRows(rows, 6);
    const { train, test } = leaveKOutSplit(ratings, { k: 2, seed: 9 });
    expectExactPartition(ratings, train, test);
    expect(Array.from({ length: 7 }, (_, r) => test.rowLength(r))).toEqual([0, 0, 0, 0, 2, 2, 2]);
    expect(Array.from({ length: 7 }, (_, r) => train.rowLength(r))).toEqual([0, 1, 2, 3, 2, 3, 4]);
  });

  it('defaults to leave-one-out', () => {
    const ratings = randomCsr(100, 60, 0.1, 4);
    const { train, test } = leaveKOutSplit(ratings, { seed: 1 });
    expectExactPartition(ratings, train, test);
    for (let row = 0; row < ratings.nRows; row++) {
      expect(test.rowLength(row)).toBe(ratings.rowLength(row) > 2 ? 1 : 0);
    }
  });

  it('moves negative values unchanged', () => {
    const ratings = new CsrMatrix({
      indptr: Uint32Array.of(0, 4),
      indices: Uint32Array.of(0, 1, 2, 3),
      data: Float32Array.of(-1, -2, -3, -4),
      shape: [1, 4],
    });
    const { train, test } = leaveKOutSplit(ratings, { k: 2, seed: 3 });
    expectExactPartition(ratings, train, test);
    expect(test.nnz).toBe(2);
  });

  it('keeps trainOnlyFraction of active users out of test', () => {
    // 10 users with 5 items each and one empty user: floor(0.5 * 10) = 5 users stay train-only.
    const rows = [...Array.from({ length: 10 }, () => [0, 1, 2, 3, 4]), []];
    const ratings = csrFromRows(rows, 5);
    const testUsers = (fraction: number) => {
      const { test } = leaveKOutSplit(ratings, { k: 1, trainOnlyFraction: fraction, seed: 12 });
      return Array.from({ length: 11 }, (_, r) => test.rowLength(r)).filter((count) => count > 0).length;
    };
    expect(testUsers(0)).toBe(10);
    expect(testUsers(0.5)).toBe(5);
    // max(1, floor(0.01 * 10)) = 1 user, as implicit draws at least one.
    expect(testUsers(0.01)).toBe(9);
  });

  it('repeats for a seed', () => {
    const ratings = randomCsr(80, 50, 0.2, 6);
    const first = leaveKOutSplit(ratings, { k: 3, trainOnlyFraction: 0.3, seed: 77 });
    const second = leaveKOutSplit(ratings, { k: 3, trainOnlyFraction: 0.3, seed: 77 });
    expect(sameMatrix(first.train, second.train)).toBe(true);
    expect(sameMatrix(first.test, second.test)).toBe(true);
    const other = leaveKOutSplit(ratings, { k: 3, trainOnlyFraction: 0.3, seed: 78 });
    expect(sameMatrix(first.test, other.test)).toBe(false);
  });

  it('picks each item about equally often', () => {
    // 4000 seeds on one 4-item row: each item is expected 1000 times, standard deviation about 27.
    const ratings = csrFromRows([[0, 1, 2, 3]], 4);
    const counts = [0, 0, 0, 0];
    for (let seed = 0; seed < 4000; seed++) counts[leaveKOutSplit(ratings, { seed }).test.indices[0]]++;
    for (const count of counts) expect(Math.abs(count - 1000)).toBeLessThan(150);
  });
});
