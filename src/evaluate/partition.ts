// Splits a CSR matrix's stored values into two matrices of the same shape by a per-value mask.

import { CsrMatrix } from '../csr/csr-matrix.js';
import { InputError } from '../errors.js';

/** Destination codes, one byte per stored value in the order of `indices`. */
export const TO_TRAIN = 0;
export const TO_TEST = 1;
/** Dropped from both outputs (train/test split: non-positive values drawn for the test set). */
export const TO_NEITHER = 2;

/** Train and test matrices with the shape of the matrix they were split from. */
export interface TrainTestMatrices {
  train: CsrMatrix;
  test: CsrMatrix;
}

/**
 * Copies each stored value of `ratings` into train or test according to `destination`. Row order and the
 * sorted column order within each row are kept, so both outputs are valid CSR without re-sorting.
 */
export function partitionByDestination(ratings: CsrMatrix, destination: Uint8Array): TrainTestMatrices {
  const { nRows, indptr, indices, data } = ratings;
  const trainIndptr = new Uint32Array(nRows + 1);
  const testIndptr = new Uint32Array(nRows + 1);
  for (let row = 0; row < nRows; row++) {
    let trainCount = 0;
    let testCount = 0;
    for (let position = indptr[row]; position < indptr[row + 1]; position++) {
      if (destination[position] === TO_TRAIN) trainCount++;
      else if (destination[position] === TO_TEST) testCount++;
    }
    trainIndptr[row + 1] = trainIndptr[row] + trainCount;
    testIndptr[row + 1] = testIndptr[row] + testCount;
  }

  const train = { indices: new Uint32Array(trainIndptr[nRows]), data: new Float32Array(trainIndptr[nRows]) };
  const test = { indices: new Uint32Array(testIndptr[nRows]), data: new Float32Array(testIndptr[nRows]) };
  let trainPosition = 0;
  let testPosition = 0;
  for (let position = 0; position < ratings.nnz; position++) {
    if (destination[position] === TO_TRAIN) {
      train.indices[trainPosition] = indices[position];
      train.data[trainPosition++] = data[position];
    } else if (destination[position] === TO_TEST) {
      test.indices[testPosition] = indices[position];
      test.data[testPosition++] = data[position];
    }
  }

  const shape = ratings.shape;
  return {
    train: new CsrMatrix({ indptr: trainIndptr, ...train, shape }, { validate: false }),
    test: new CsrMatrix({ indptr: testIndptr, ...test, shape }, { validate: false }),
  };
}

/** Throws InputError when `value` is not a CsrMatrix, naming the function and the parameter. */
export function requireCsr(value: unknown, functionName: string, parameter: string): asserts value is CsrMatrix {
  if (!(value instanceof CsrMatrix)) {
    throw new InputError('invalid_option', `${functionName}: ${parameter} must be a CsrMatrix (users x items)`, {
      where: `${functionName}.${parameter}`,
      expected: 'a CsrMatrix',
    });
  }
}
