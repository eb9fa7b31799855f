// Train/test splits of a users x items interaction matrix, following train_test_split and
// leave_k_out_split of implicit's implicit/evaluation.pyx (commit 89f4316), with our own seeded generator.

import type { CsrMatrix } from '../csr/csr-matrix.js';
import { Random } from '../random.js';
import { leaveKOutSplitSpecs, parseOptions, trainTestSplitSpecs } from './options.js';
import { partitionByDestination, requireCsr, TO_NEITHER, TO_TEST, TO_TRAIN, type TrainTestMatrices } from './partition.js';

export interface TrainTestSplitOptions {
  /** Probability that each stored value goes to the test set, in (0, 1). Default 0.2. */
  testFraction?: number;
  /** Seed of the generator, an integer in [0, 2^32 - 1]. The same seed and input give the same split. */
  seed: number;
}

export interface LeaveKOutSplitOptions {
  /** Interactions held out per eligible user, at least 1. Default 1. */
  k?: number;
  /**
   * Fraction of the users with any interaction that stay in train only, in [0, 1). Default 0.
   * When above 0, max(1, floor(fraction * those users)) users are drawn.
   */
  trainOnlyFraction?: number;
  /** Seed of the generator, an integer in [0, 2^32 - 1]. */
  seed: number;
}

/**
 * Splits `ratings` per interaction: each stored value goes to the test set with probability
 * `testFraction`, independently, and otherwise to train. Both outputs keep the shape of `ratings`.
 *
 * As in implicit, a value <= 0 drawn for the test set is dropped rather than kept as a held-out item,
 * because a zero or negative interaction is not a relevant item. For matrices whose stored values are
 * all positive, train + test equals `ratings` exactly and the two never share a cell.
 *
 * @example
 * const { train, test } = trainTestSplit(userItems, { testFraction: 0.2, seed: 42 });
 */
export function trainTestSplit(ratings: CsrMatrix, options: TrainTestSplitOptions): TrainTestMatrices {
  requireCsr(ratings, 'trainTestSplit', 'ratings');
  const { testFraction, seed } = parseOptions('trainTestSplit', trainTestSplitSpecs, options);

  const random = new Random(seed);
  const destination = new Uint8Array(ratings.nnz);
  for (let position = 0; position < ratings.nnz; position++) {
    if (random.next() >= testFraction) destination[position] = TO_TRAIN;
    else destination[position] = ratings.data[position] > 0 ? TO_TEST : TO_NEITHER;
  }
  return partitionByDestination(ratings, destination);
}

/**
 * Holds out `k` interactions, drawn uniformly without replacement, for every user with more than
 * k + 1 interactions; all other interactions go to train.
 *
 * Eligibility follows implicit, whose leave_k_out_split keeps users with counts > K + 1: a user
 * with k + 1 or fewer interactions stays entirely in train, so every test user keeps at least two
 * training interactions. With `trainOnlyFraction` > 0, a random set of users is first kept in train
 * only. Values are moved unchanged (negative ones included), so train + test equals `ratings` exactly.
 *
 * @example
 * const { train, test } = leaveKOutSplit(userItems, { k: 1, seed: 7 }); // leave-one-out
 */
export function leaveKOutSplit(ratings: CsrMatrix, options: LeaveKOutSplitOptions): TrainTestMatrices {
  requireCsr(ratings, 'leaveKOutSplit', 'ratings');
  const { k, trainOnlyFraction, seed } = parseOptions('leaveKOutSplit', leaveKOutSplitSpecs, options);

  const random = new Random(seed);
  const isTrainOnly = drawTrainOnlyUsers(ratings, trainOnlyFraction, random);
  const destination = new Uint8Array(ratings.nnz);
  let maxRowLength = 0;
  for (let row = 0; row < ratings.nRows; row++) maxRowLength = Math.max(maxRowLength, ratings.rowLength(row));
  const positions = new Uint32Array(maxRowLength);

  for (let row = 0; row < ratings.nRows; row++) {
    const rowLength = ratings.rowLength(row);
    if (rowLength <= k + 1 || isTrainOnly[row] === 1) continue;

    // A partial Fisher-Yates shuffle of the row's offsets: its first k slots are a uniform sample
    // of k distinct offsets.
    for (let i = 0; i < rowLength; i++) positions[i] = i;
    const start = ratings.indptr[row];
    for (let i = 0; i < k; i++) {
      const j = i + random.nextInt(rowLength - i);
      const picked = positions[j];
      positions[j] = positions[i];
      positions[i] = picked;
      destination[start + picked] = TO_TEST;
    }
  }
  return partitionByDestination(ratings, destination);
}

/** Marks max(1, floor(fraction * n)) of the n users with any interaction as train-only, or none when fraction is 0. */
function drawTrainOnlyUsers(ratings: CsrMatrix, fraction: number, random: Random): Uint8Array {
  const isTrainOnly = new Uint8Array(ratings.nRows);
  if (fraction === 0) return isTrainOnly;

  const activeUsers: number[] = [];
  for (let row = 0; row < ratings.nRows; row++) if (ratings.rowLength(row) > 0) activeUsers.push(row);
  const count = Math.min(activeUsers.length, Math.max(1, Math.floor(activeUsers.length * fraction)));
  for (let i = 0; i < count; i++) {
    const j = i + random.nextInt(activeUsers.length - i);
    const picked = activeUsers[j];
    activeUsers[j] = activeUsers[i];
    activeUsers[i] = picked;
    isTrainOnly[picked] = 1;
  }
  return isTrainOnly;
}
