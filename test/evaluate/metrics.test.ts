import { describe, expect, it } from 'vitest';
import type { TopNResult } from '../../src/backends/backend.js';
import {
  aucAtK,
  meanAveragePrecisionAtK,
  ndcgAtK,
  precisionAtK,
  rankingMetricsAtK,
  recallAtK,
  type EvaluationProgress,
} from '../../src/evaluate/index.js';
import type { IndexRecommender, IndexRecommendOptions } from '../../src/recommend/types.js';
import { csrFromRows, FixedRankingRecommender } from './fixtures.js';

// Hand-worked example: 4 users, 6 items, K = 3. Discounts d(i) = 1 / log2(i + 2) for 0-based rank i:
// d(0) = 1, d(1) = 1 / log2(3) = c = 0.6309297535714575, d(2) = 1 / 2.
//
// user | train  | test        | preference list | top 3 after removing train items
// -----+--------+-------------+-----------------+---------------------------------
//  0   | {0}    | {1, 2}      | 0 1 3 2 4 5     | 1 3 2      hits at ranks 0 and 2
//  1   | {2}    | {}          | 0 1 2 3 4 5     | not asked: no held-out items, so not counted
//  2   | {5}    | {0 1 3 4}   | 5 4 2 0 1 3     | 4 2 0      hits at ranks 0 and 2; |test| = 4 > K
//  3   | {1, 2} | {5}         | 2 0 1 5         | 0 5 -1     hit at rank 1; the -1 pad is a miss
//
// Precision pools hits: (2 + 2 + 1) / (min(3,2) + min(3,4) + min(3,1)) = 5 / 6.
//   (A per-user mean would give 8/9 and dividing by K would give 5/9, so both mistakes fail.)
// AP_u = sum over hit ranks i of (hits so far) / (i + 1), divided by min(K, |test_u|):
//   u0: (1/1 + 2/3) / 2 = 5/6, u2: (1/1 + 2/3) / 3 = 5/9, u3: (1/2) / 1 = 1/2.
//   MAP = (5/6 + 5/9 + 1/2) / 3 = 17/27.
// nDCG_u = sum of d(i) over hit ranks / (d(0) + ... + d(min(K, |test_u|) - 1)):
//   u0: (1 + 1/2) / (1 + c) = 0.9197207891481876, u2: (1 + 1/2) / (1 + c + 1/2) = 0.7039180890341347,
//   u3: c / 1 = 0.6309297535714575. nDCG = mean = 0.75152287725126.
// AUC_u with P = |test_u| and N = 6 - P negatives (training items count as negatives, as in implicit):
//   each miss at rank i adds the hits above it, then the N - misses unranked negatives add (hits + P) / 2 each.
//   u0: P 2, N 4, ranks hit miss hit: 1 + (2 + 2)/2 * (4 - 1) = 7, AUC 7 / 8.
//   u2: P 4, N 2, ranks hit miss hit: 1 + (2 + 4)/2 * (2 - 1) = 4, AUC 4 / 8.
//   u3: P 1, N 5, ranks miss hit miss: 0 + 1 + (1 + 1)/2 * (5 - 2) = 4, AUC 4 / 5.
//   AUC = (7/8 + 1/2 + 4/5) / 3 = 0.725.
// Recall_u = hits / |test_u|: 2/2, 2/4, 1/1, mean 5/6.
const train = csrFromRows([[0], [2], [5], [1, 2]], 6);
const test = csrFromRows([[1, 2], [], [0, 1, 3, 4], [5]], 6);
const preferences = new Map<number, number[]>([
  [0, [0, 1, 3, 2, 4, 5]],
  [1, [0, 1, 2, 3, 4, 5]],
  [2, [5, 4, 2, 0, 1, 3]],
  [3, [2, 0, 1, 5]],
]);
const c = 1 / Math.log2(3);
const expected = {
  precision: 5 / 6,
  map: 17 / 27,
  ndcg: ((1 + 0.5) / (1 + c) + (1 + 0.5) / (1 + c + 0.5) + c) / 3,
  auc: (7 / 8 + 1 / 2 + 4 / 5) / 3,
  recall: 5 / 6,
  users: 3,
};

describe('rankingMetricsAtK', () => {
  it('matches the hand-worked example', async () => {
    const metrics = await rankingMetricsAtK(new FixedRankingRecommender(preferences), train, test, { k: 3 });
    expect(metrics.precision).toBeCloseTo(expected.precision, 12);
    expect(metrics.map).toBeCloseTo(expected.map, 12);
    expect(metrics.ndcg).toBeCloseTo(expected.ndcg, 12);
    expect(metrics.ndcg).toBeCloseTo(0.75152287725126, 12);
    expect(metrics.auc).toBeCloseTo(expected.auc, 12);
    expect(metrics.recall).toBeCloseTo(expected.recall, 12);
    expect(metrics.users).toBe(3);
  });

  it('asks only for users with held-out items', async () => {
    const recommender = new FixedRankingRecommender(preferences);
    await rankingMetricsAtK(recommender, train, test, { k: 3 });
    expect(recommender.batches).toEqual([[0, 2, 3]]);
  });

  it('passes train as exclude with n = k', async () => {
    const seen: IndexRecommendOptions[] = [];
    const inner = new FixedRankingRecommender(preferences);
    const spy: IndexRecommender = {
      recommendIndices(users, options) {
        seen.push(options);
        return inner.recommendIndices(users, options);
      },
    };
    await rankingMetricsAtK(spy, train, test, { k: 3 });
    expect(seen).toHaveLength(1);
    expect(seen[0].n).toBe(3);
    expect(seen[0].exclude).toBe(train);
  });

  it('scores training items as misses when the recommender ignores exclude', async () => {
    // Without filtering, user 0 gets 0 1 3 (one hit): the hand-worked numbers above depend on exclude.
    const inner = new FixedRankingRecommender(preferences);
    const ignoresExclude: IndexRecommender = { recommendIndices: (users, { n }) => inner.recommendIndices(users, { n }) };
    const metrics = await rankingMetricsAtK(ignoresExclude, train, test, { k: 3 });
    expect(metrics.precision).not.toBeCloseTo(expected.precision, 6);
  });

  it('gives the same numbers in batches of one', async () => {
    const recommender = new FixedRankingRecommender(preferences);
    const progress: EvaluationProgress[] = [];
    const metrics = await rankingMetricsAtK(recommender, train, test, {
      k: 3,
      batchSize: 1,
      onProgress: (update) => progress.push(update),
    });
    expect(recommender.batches).toEqual([[0], [2], [3]]);
    expect(progress).toEqual([
      { done: 1, total: 3 },
      { done: 2, total: 3 },
      { done: 3, total: 3 },
    ]);
    expect(metrics.precision).toBeCloseTo(expected.precision, 12);
    expect(metrics.map).toBeCloseTo(expected.map, 12);
    expect(metrics.ndcg).toBeCloseTo(expected.ndcg, 12);
    expect(metrics.auc).toBeCloseTo(expected.auc, 12);
    expect(metrics.recall).toBeCloseTo(expected.recall, 12);
  });

  it('evaluates only the given users', async () => {
    // Users 3 and 0: precision (1 + 2) / (1 + 2), MAP (1/2 + 5/6) / 2, AUC (4/5 + 7/8) / 2.
    const recommender = new FixedRankingRecommender(preferences);
    const metrics = await rankingMetricsAtK(recommender, train, test, { k: 3, users: Uint32Array.of(3, 1, 0) });
    expect(recommender.batches).toEqual([[3, 0]]);
    expect(metrics.users).toBe(2);
    expect(metrics.precision).toBeCloseTo(1, 12);
    expect(metrics.map).toBeCloseTo(2 / 3, 12);
    expect(metrics.ndcg).toBeCloseTo(((1 + 0.5) / (1 + c) + c) / 2, 12);
    expect(metrics.auc).toBeCloseTo((4 / 5 + 7 / 8) / 2, 12);
    expect(metrics.recall).toBeCloseTo(1, 12);
  });

  it('reads missing ranks as misses when n < k', async () => {
    // A recommender that caps n at 2: user 3 keeps 0 5, so its numbers are unchanged.
    const inner = new FixedRankingRecommender(preferences);
    const capped: IndexRecommender = { recommendIndices: (users, options) => inner.recommendIndices(users, { ...options, n: 2 }) };
    const metrics = await rankingMetricsAtK(capped, train, test, { k: 3, users: Uint32Array.of(3) });
    expect(metrics.precision).toBeCloseTo(1, 12);
    expect(metrics.auc).toBeCloseTo(4 / 5, 12);
  });

  it('scores a perfect ranking as one', async () => {
    const perfect = new Map<number, number[]>([
      [0, [1, 2, 0]],
      [2, [0, 1, 3, 4]],
      [3, [5]],
    ]);
    const metrics = await rankingMetricsAtK(new FixedRankingRecommender(perfect), train, test, { k: 3 });
    // User 2 has 4 held-out items but K = 3, so three hits are a full score for every metric but recall (3/4).
    expect(metrics.precision).toBeCloseTo(1, 12);
    expect(metrics.map).toBeCloseTo(1, 12);
    expect(metrics.ndcg).toBeCloseTo(1, 12);
    expect(metrics.recall).toBeCloseTo((1 + 3 / 4 + 1) / 3, 12);
    // User 2's fourth held-out item is unranked and ties with its 2 negatives: AUC (3*2 + 1*2/2) / 8 = 7/8.
    expect(metrics.auc).toBeCloseTo((1 + 7 / 8 + 1) / 3, 12);
  });
});

describe('metric wrappers', () => {
  it('return the fields of rankingMetricsAtK', async () => {
    const recommender = new FixedRankingRecommender(preferences);
    expect(await precisionAtK(recommender, train, test, { k: 3 })).toBeCloseTo(expected.precision, 12);
    expect(await meanAveragePrecisionAtK(recommender, train, test, { k: 3 })).toBeCloseTo(expected.map, 12);
    expect(await ndcgAtK(recommender, train, test, { k: 3 })).toBeCloseTo(expected.ndcg, 12);
    expect(await aucAtK(recommender, train, test, { k: 3 })).toBeCloseTo(expected.auc, 12);
    expect(await recallAtK(recommender, train, test, { k: 3 })).toBeCloseTo(expected.recall, 12);
  });

  it('default to k = 10', async () => {
    // With K = 10 user 0's list is 1 3 2 4 5 then pads: hits at ranks 0 and 2, AP (1 + 2/3) / 2.
    const metrics = await rankingMetricsAtK(new FixedRankingRecommender(preferences), train, test, { users: Uint32Array.of(0) });
    expect(metrics.map).toBeCloseTo(5 / 6, 12);
    expect(metrics.precision).toBeCloseTo(1, 12);
  });
});

describe('rankingMetricsAtK errors', () => {
  const recommender = new FixedRankingRecommender(preferences);

  it('rejects train and test of different shapes', async () => {
    const narrow = csrFromRows([[1], [], [0], [4]], 5);
    await expect(rankingMetricsAtK(recommender, train, narrow)).rejects.toThrowErrorMatchingInlineSnapshot(`[InputError: rankingMetricsAtK: train is 4 x 6 but test is 4 x 5; split both from one users x items matrix]`);
  });

  it('rejects a test matrix with no held-out items', async () => {
    const empty = csrFromRows([[], [], [], []], 6);
    await expect(rankingMetricsAtK(recommender, train, empty)).rejects.toThrowErrorMatchingInlineSnapshot(`[InputError: rankingMetricsAtK: none of the 4 evaluated users has a held-out item in test; split with a larger test fraction or pass users that have test items]`);
  });

  it('rejects users out of range', async () => {
    await expect(rankingMetricsAtK(recommender, train, test, { users: Uint32Array.of(0, 4) })).rejects.toThrowErrorMatchingInlineSnapshot(`[InputError: rankingMetricsAtK: option users contains 4, but test has 4 users; pass indices below 4]`);
  });

  it('rejects repeated users', async () => {
    await expect(rankingMetricsAtK(recommender, train, test, { users: Uint32Array.of(2, 2) })).rejects.toThrowErrorMatchingInlineSnapshot(`[InputError: rankingMetricsAtK: option users contains 2 more than once; pass each user once]`);
  });

  it('rejects k below one', async () => {
    const error = await rankingMetricsAtK(recommender, train, test, { k: 0 }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'InputError', code: 'invalid_option', details: { where: 'rankingMetricsAtK.k', received: '0' } });
    expect((error as Error).message).toMatchInlineSnapshot(`"rankingMetricsAtK: option k is 0, expected an integer from 1 to 1000000"`);
  });

  it('rejects options of the wrong type', async () => {
    const options = { batchSize: 'big', users: [0, 1] } as unknown as { batchSize: number };
    await expect(rankingMetricsAtK(recommender, train, test, options)).rejects.toThrowErrorMatchingInlineSnapshot(`[InputError: rankingMetricsAtK: option batchSize is "big", expected an integer from 1 to 1000000; option users is an array, expected a Uint32Array of user indices]`);
  });

  it('rejects a result with the wrong number of ids', async () => {
    const short: IndexRecommender = {
      recommendIndices: async (users, { n }): Promise<TopNResult> => ({ n, ids: new Int32Array(n), scores: new Float32Array(n) }),
    };
    await expect(rankingMetricsAtK(short, train, test, { k: 3 })).rejects.toThrowErrorMatchingInlineSnapshot(`[InputError: rankingMetricsAtK: recommendIndices returned 3 ids for 3 users with n = 3, expected 9; a recommender returns n ids per user, padded with -1]`);
  });
});
