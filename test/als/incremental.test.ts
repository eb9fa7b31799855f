// Fold-in, partial fits and explanations against a full user step and the dense float64 reference.

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AlternatingLeastSquares, foldInUser, toConfidence } from '../../src/als/index.js';
import type { Backend } from '../../src/backends/backend.js';
import { createCpuBackend } from '../../src/backends/cpu/index.js';
import { computeGram } from '../../src/backends/cpu/kernels/index.js';
import { IdMap } from '../../src/csr/id-map.js';
import { InputError } from '../../src/errors.js';
import { denseFromConfidence, denseSolveSide, maxAbsDifference } from '../helpers/dense-als.js';
import { randomSparse } from '../helpers/small-matrices.js';

/**
 * Two float32 solves of the same normal equations. The backend and fold-in build them with the same
 * kernel, but the backend sums Y^T Y in bands, so the float64 Gram matrices differ in the last bits.
 * After float32 rounding of the results that difference stays below about 1e-6 on these small systems.
 */
const SAME_SYSTEM_ABS = 1e-5;
/** A float32 solve against the float64 dense reference (relative rounding 6e-8 times a condition number of about 1e2). */
const DENSE_ABS = 1e-4;

const nUsers = 30;
const nItems = 20;
const factors = 5;
const userItems = randomSparse(nUsers, nItems, 0.3, 21);
const userIds = new IdMap(Array.from({ length: nUsers }, (_, u) => `u${u}`));
const itemIds = new IdMap(Array.from({ length: nItems }, (_, i) => `i${i}`));
const interactions = { userIds, itemIds, userItems };

/** Returns the [itemId, value] pairs of user `u`'s training row. */
function trainingPairs(u: number): Array<[string, number]> {
  const { indices, data } = userItems.row(u);
  return Array.from(indices, (item, k) => [itemIds.idAt(item), data[k]]);
}

describe('incremental model updates', () => {
  let backend: Backend;
  let model: AlternatingLeastSquares;

  beforeAll(async () => {
    backend = await createCpuBackend({ threads: 1 });
  });

  beforeEach(async () => {
    model = new AlternatingLeastSquares({ factors, iterations: 4, regularization: 0.1, alpha: 2, solver: 'cholesky', seed: 3, backend });
    await model.fit(interactions);
  });

  afterEach(async () => {
    await model.dispose();
  });

  afterAll(async () => {
    await backend.dispose();
  });

  it('fold-in matches a full user step on the same item factors', async () => {
    const confidence = toConfidence(interactions, model.options.alpha);
    const session = await backend.startFit({ userItems: confidence, itemUsers: confidence.transpose(), factors, userFactors: new Float32Array(nUsers * factors), itemFactors: model.itemFactors });
    await session.solve('users', { regularization: model.options.regularization, solver: 'cholesky', cgSteps: 3 });
    const refit = await session.readFactors('users');
    await session.dispose();

    for (let u = 0; u < nUsers; u++) {
      const folded = model.recalculateUser(trainingPairs(u));
      expect(maxAbsDifference(folded, refit.subarray(u * factors, (u + 1) * factors))).toBeLessThan(SAME_SYSTEM_ABS);
    }
  });

  it('explain sums its contributions to the fold-in score', async () => {
    for (const [user, item] of [['u0', 'i3'], ['u7', 'i0'], ['u19', 'i12']]) {
      const explanation = model.explain(user, item, { n: nItems });
      const total = explanation.contributions.reduce((sum, entry) => sum + entry.contribution, 0);
      expect(explanation.score).toBeCloseTo(total, 10);

      const [recommended] = await model.recommend(user, { n: 1, items: [item], recalculateUser: true, filterAlreadyLiked: false });
      expect(recommended.itemId).toBe(item);
      expect(Math.abs(recommended.score - explanation.score)).toBeLessThan(SAME_SYSTEM_ABS * Math.max(1, Math.abs(explanation.score)));
    }
  });

  it('explain matches the dense reference score', () => {
    const dense = denseFromConfidence(toConfidence(interactions, model.options.alpha));
    const userRows = denseSolveSide(dense, 'users', Float64Array.from(model.itemFactors), factors, model.options.regularization);
    const expected = [0, 1, 2, 3, 4].reduce((sum, f) => sum + userRows[4 * factors + f] * model.itemFactors[9 * factors + f], 0);
    expect(Math.abs(model.explain('u4', 'i9').score - expected)).toBeLessThan(DENSE_ABS);
  });

  it('explain lists the largest contributions first', () => {
    const explanation = model.explain('u2', 'i5', { n: 3 });
    expect(explanation.contributions.length).toBeLessThanOrEqual(3);
    const values = explanation.contributions.map((entry) => entry.contribution);
    expect(values).toEqual([...values].sort((a, b) => b - a));
    const liked = new Set(trainingPairs(2).map(([id]) => id));
    for (const entry of explanation.contributions) expect(liked.has(entry.itemId)).toBe(true);
  });

  it('explain of a user without items is zero', () => {
    expect(model.explain('anyone', 'i1', { userItems: [] })).toEqual({ score: 0, contributions: [] });
  });

  it('partialFitUsers adds a user with fold-in factors', async () => {
    const items: Array<[string, number]> = [['i1', 3], ['i4', 1], ['i7', 2]];
    const expected = model.recalculateUser(items);
    await model.partialFitUsers(['newcomer'], [items]);
    expect(model.userIds.size).toBe(nUsers + 1);
    expect(model.userFactors).toHaveLength((nUsers + 1) * factors);
    expect(model.userFactors.subarray(nUsers * factors)).toEqual(expected);

    const recommended = await model.recommend('newcomer', { n: nItems });
    expect(recommended.map((entry) => entry.itemId)).not.toContain('i4');
    expect(recommended).toHaveLength(nItems - 3);
    // The fitted score now equals the explained one, since the stored factors come from the same solve.
    const top = recommended[0];
    expect(Math.abs(model.explain('newcomer', top.itemId).score - top.score)).toBeLessThan(SAME_SYSTEM_ABS);
  });

  it('partialFitUsers updates an existing user only', async () => {
    const before = model.userFactors.slice();
    await model.partialFitUsers(['u3'], [['i0', 'i1']]);
    expect(model.userIds.size).toBe(nUsers);
    expect(model.userFactors.subarray(3 * factors, 4 * factors)).toEqual(model.recalculateUser(['i0', 'i1']));
    expect(model.userFactors.subarray(0, 3 * factors)).toEqual(before.subarray(0, 3 * factors));
    expect(model.userItems?.row(3).indices).toEqual(Uint32Array.of(0, 1));
  });

  it('partialFitItems adds an item and refreshes every cache', async () => {
    const users: Array<[string, number]> = [['u0', 2], ['u5', 1], ['u9', 4]];
    await model.similarItems('i0');
    await model.partialFitItems(['fresh'], [users]);
    expect(model.itemIds.size).toBe(nItems + 1);
    expect(model.itemFactors).toHaveLength((nItems + 1) * factors);

    // Exact item step against the fixed user factors: fold-in with the roles swapped and X^T X.
    const gram = new Float64Array(factors * factors);
    computeGram(model.userFactors, factors, nUsers, gram);
    const expected = foldInUser({
      itemFactors: model.userFactors,
      factors,
      itemGram: gram,
      regularization: 0.1,
      items: Uint32Array.of(0, 5, 9),
      confidence: Float32Array.of(1 + 2 * 2, 1 + 2 * 1, 1 + 2 * 4),
    });
    expect(maxAbsDifference(model.itemFactors.subarray(nItems * factors), expected)).toBeLessThan(SAME_SYSTEM_ABS);

    // Cosine scorer and norms: the new item is most similar to itself.
    expect((await model.similarItems('fresh', { n: 1 }))[0]).toEqual({ itemId: 'fresh', score: expect.closeTo(1, 5) });
    // Item scorer: u0 now likes 'fresh', so it is filtered; unfiltered it can be ranked.
    expect((await model.recommend('u0', { n: nItems + 1 })).map((entry) => entry.itemId)).not.toContain('fresh');
    expect((await model.recommend('u1', { n: nItems + 1 })).map((entry) => entry.itemId)).toContain('fresh');
    // Gram matrix: fold-in uses Y^T Y of the grown item factors. The model computes it with the
    // WebAssembly kernel, which rounds partial sums to float32, so the solutions agree to float32 noise.
    const itemGram = new Float64Array(factors * factors);
    computeGram(model.itemFactors, factors, nItems + 1, itemGram);
    const folded = foldInUser({ itemFactors: model.itemFactors, factors, itemGram, regularization: 0.1, items: Uint32Array.of(2), confidence: Float32Array.of(3) });
    expect(maxAbsDifference(model.recalculateUser([['i2', 1]]), folded)).toBeLessThan(SAME_SYSTEM_ABS);
  });

  it('partialFitItems records the new column in the training matrix', async () => {
    await model.partialFitItems(['i2'], [['u1']]);
    expect(model.userItems?.get(1, 2)).toBe(1);
    for (let u = 0; u < nUsers; u++) if (u !== 1) expect(model.userItems?.get(u, 2)).toBe(0);
    expect(model.userItems?.nnz).toBe(userItems.nnz - userItems.transpose().rowLength(2) + 1);
  });

  it('partial fits reject bad rows', async () => {
    await expect(model.partialFitUsers(['a', 'b'], [['i1']])).rejects.toThrowErrorMatchingInlineSnapshot(
      `[InputError: invalid partialFitUsers arguments: rows is an array: expected one row per id, but there are 2 ids and 1 rows]`,
    );
    await expect(model.partialFitUsers(['a'], [['nope']])).rejects.toBeInstanceOf(InputError);
    await expect(model.partialFitItems(['x'], [['ghost']])).rejects.toThrowErrorMatchingInlineSnapshot(
      `[InputError: unknown user id "ghost"; it is not among the 30 user ids of the training data]`,
    );
    await expect(model.partialFitUsers(['a', 'a'], [[], []])).rejects.toThrowErrorMatchingInlineSnapshot(
      `[InputError: partialFitUsers: the ids contain duplicates; pass each id once]`,
    );
    expect(model.userIds.size).toBe(nUsers);
  });
});
