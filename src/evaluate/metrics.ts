// Ranking metrics at K of any IndexRecommender on a train/test split, computed as implicit's
// ranking_metrics_at_k computes them (implicit/evaluation.pyx, commit 89f4316), so numbers compare.

import type { CsrMatrix } from '../csr/csr-matrix.js';
import { InputError } from '../errors.js';
import type { IndexRecommender } from '../recommend/types.js';
import { type EvaluationProgress, parseOptions, rankingMetricsSpecs } from './options.js';
import { requireCsr } from './partition.js';
import { RankingAccumulator, type RankingMetrics } from './ranking-accumulator.js';

export interface RankingMetricsOptions {
  /** Length of the ranked list each user is scored on. Default 10. */
  k?: number;
  /** Users per recommendIndices call. Default 1024. */
  batchSize?: number;
  /** User indices to evaluate, unique; default every user. Users without held-out items are skipped either way. */
  users?: Uint32Array;
  /** Called after each batch, counting users with at least one held-out item. */
  onProgress?: (progress: EvaluationProgress) => void;
}

/**
 * Ranks the top `k` items for every user with at least one held-out item in `test`, leaving out the
 * user's `train` items, and scores the lists against `test`. Users are sent to
 * `recommender.recommendIndices` in batches of `batchSize` with `exclude: train`.
 *
 * `train` and `test` are users x items matrices of one shape, for example from trainTestSplit. Every
 * item of `test` counts as relevant whatever its value. Precision pools hits over users; the other
 * metrics are means over users. docs/metrics.md gives the formulas.
 *
 * Throws InputError (code csr_shape_mismatch) when the shapes differ, (code no_test_users) when no
 * evaluated user has a held-out item, and (code invalid_recommender_output) when a result has the wrong size.
 *
 * @example
 * const { train, test } = trainTestSplit(userItems, { seed: 1 });
 * const metrics = await rankingMetricsAtK(model, train, test, { k: 10 });
 * // { precision, map, ndcg, auc, recall, users }
 */
export async function rankingMetricsAtK(
  recommender: IndexRecommender,
  train: CsrMatrix,
  test: CsrMatrix,
  options: RankingMetricsOptions = {},
): Promise<RankingMetrics> {
  requireCsr(train, 'rankingMetricsAtK', 'train');
  requireCsr(test, 'rankingMetricsAtK', 'test');
  const { k, batchSize, users, onProgress } = parseOptions('rankingMetricsAtK', rankingMetricsSpecs, options);
  checkSameShape(train, test);
  const toEvaluate = selectTestUsers(test, users);
  if (toEvaluate.length === 0) {
    throw new InputError(
      'no_test_users',
      `rankingMetricsAtK: none of the ${users?.length ?? test.nRows} evaluated users has a held-out item in test; ` +
        'split with a larger test fraction or pass users that have test items',
      { where: 'rankingMetricsAtK.test' },
    );
  }

  const accumulator = new RankingAccumulator(k, test.nCols);
  for (let start = 0; start < toEvaluate.length; start += batchSize) {
    const batch = toEvaluate.subarray(start, start + batchSize);
    const result = await recommender.recommendIndices(batch, { n: k, exclude: train });
    if (result.ids.length !== batch.length * result.n) {
      throw new InputError(
        'invalid_recommender_output',
        `rankingMetricsAtK: recommendIndices returned ${result.ids.length} ids for ${batch.length} users with n = ${result.n}, ` +
          `expected ${batch.length * result.n}; a recommender returns n ids per user, padded with -1`,
        { where: 'recommender.recommendIndices', expected: String(batch.length * result.n), received: String(result.ids.length) },
      );
    }

    // Rows may be shorter than k when the recommender caps n; the accumulator reads missing ranks as -1.
    const width = Math.min(result.n, k);
    for (let row = 0; row < batch.length; row++) {
      const ranking = result.ids.subarray(row * result.n, row * result.n + width);
      accumulator.addUser(ranking, test.row(batch[row]).indices);
    }
    onProgress?.({ done: accumulator.users, total: toEvaluate.length });
  }
  return accumulator.result();
}

/** Returns P@K: hits over all evaluated users divided by the sum of min(K, held-out items). */
export async function precisionAtK(recommender: IndexRecommender, train: CsrMatrix, test: CsrMatrix, options?: RankingMetricsOptions): Promise<number> {
  return (await rankingMetricsAtK(recommender, train, test, options)).precision;
}

/** Returns MAP@K: the mean over evaluated users of average precision at K. */
export async function meanAveragePrecisionAtK(recommender: IndexRecommender, train: CsrMatrix, test: CsrMatrix, options?: RankingMetricsOptions): Promise<number> {
  return (await rankingMetricsAtK(recommender, train, test, options)).map;
}

/** Returns nDCG@K: the mean over evaluated users of binary-relevance nDCG at K. */
export async function ndcgAtK(recommender: IndexRecommender, train: CsrMatrix, test: CsrMatrix, options?: RankingMetricsOptions): Promise<number> {
  return (await rankingMetricsAtK(recommender, train, test, options)).ndcg;
}

/** Returns AUC@K: the mean over evaluated users of AUC with the ranking truncated at K. */
export async function aucAtK(recommender: IndexRecommender, train: CsrMatrix, test: CsrMatrix, options?: RankingMetricsOptions): Promise<number> {
  return (await rankingMetricsAtK(recommender, train, test, options)).auc;
}

/** Returns recall@K: the mean over evaluated users of hits / held-out items. */
export async function recallAtK(recommender: IndexRecommender, train: CsrMatrix, test: CsrMatrix, options?: RankingMetricsOptions): Promise<number> {
  return (await rankingMetricsAtK(recommender, train, test, options)).recall;
}

function checkSameShape(train: CsrMatrix, test: CsrMatrix): void {
  if (train.nRows === test.nRows && train.nCols === test.nCols) return;
  throw new InputError(
    'csr_shape_mismatch',
    `rankingMetricsAtK: train is ${train.nRows} x ${train.nCols} but test is ${test.nRows} x ${test.nCols}; ` +
      'split both from one users x items matrix',
    { where: 'rankingMetricsAtK.test', expected: `${train.nRows} x ${train.nCols}`, received: `${test.nRows} x ${test.nCols}` },
  );
}

/** Returns the users (all, or `users` in the given order) that have at least one held-out item. */
function selectTestUsers(test: CsrMatrix, users: Uint32Array | undefined): Uint32Array {
  if (users === undefined) {
    // Counting first lets a typed array be filled directly. A number array grown one user at a time
    // (350,000 users at full scale) would take an estimated 3 to 7 MiB of heap, copies included.
    let count = 0;
    for (let user = 0; user < test.nRows; user++) if (test.rowLength(user) > 0) count++;
    const selected = new Uint32Array(count);
    let next = 0;
    for (let user = 0; user < test.nRows; user++) if (test.rowLength(user) > 0) selected[next++] = user;
    return selected;
  }

  const isSeen = new Uint8Array(test.nRows);
  const selected: number[] = [];
  for (const user of users) {
    if (user >= test.nRows) {
      throw new InputError('invalid_option', `rankingMetricsAtK: option users contains ${user}, but test has ${test.nRows} users; pass indices below ${test.nRows}`, {
        where: 'rankingMetricsAtK.users',
        expected: `indices below ${test.nRows}`,
        received: String(user),
      });
    }
    if (isSeen[user] === 1) {
      throw new InputError('invalid_option', `rankingMetricsAtK: option users contains ${user} more than once; pass each user once`, {
        where: 'rankingMetricsAtK.users',
        received: String(user),
      });
    }
    isSeen[user] = 1;
    if (test.rowLength(user) > 0) selected.push(user);
  }
  return Uint32Array.from(selected);
}
