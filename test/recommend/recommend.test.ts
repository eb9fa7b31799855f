import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlternatingLeastSquares } from '../../src/als/index.js';
import type { Backend } from '../../src/backends/backend.js';
import { CsrMatrix } from '../../src/csr/csr-matrix.js';
import { IdMap } from '../../src/csr/id-map.js';
import { batchRow } from '../../src/recommend/index.js';
import { backendFactories } from '../helpers/backend-factories.js';
import { denseFromConfidence, denseSolveSide, maxAbsDifference } from '../helpers/dense-als.js';
import { csrFromDense } from '../helpers/small-matrices.js';
import { CHOLESKY_VS_DENSE_ABS } from '../helpers/tolerance.js';

// Three groups: users u0-u3 like items a-c, u4-u7 like d-f, u8-u11 like g-i. Each user misses one
// item of their group, so every user has one obvious recommendation.
const userNames = Array.from({ length: 12 }, (_, u) => `u${u}`);
const itemNames = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'];
const rows = userNames.map((_, u) =>
  itemNames.map((_, i) => (Math.floor(u / 4) === Math.floor(i / 3) && i % 3 !== u % 3 ? 1 + (u % 2) : 0)),
);
const interactions = { userIds: new IdMap(userNames), itemIds: new IdMap(itemNames), userItems: csrFromDense(rows) };

describe.each(backendFactories)('recommend on $name', ({ create }) => {
  let backend: Backend;
  let model: AlternatingLeastSquares;

  beforeAll(async () => {
    backend = await create();
    model = new AlternatingLeastSquares({ factors: 3, regularization: 0.05, iterations: 30, solver: 'cholesky', seed: 4, backend });
    await model.fit(interactions);
  });

  afterAll(async () => {
    await model.dispose();
    await backend.dispose();
  });

  it('puts the missing item of the user’s group first', async () => {
    // u0 has b and c, so a is missing; u5 has d and e, so f is missing.
    expect((await model.recommend('u0', { n: 1 }))[0].itemId).toBe('a');
    expect((await model.recommend('u5', { n: 1 }))[0].itemId).toBe('f');
  });

  it('leaves out liked items unless asked not to', async () => {
    const filtered = await model.recommend('u0', { n: 9 });
    expect(filtered.map((entry) => entry.itemId)).not.toContain('b');
    expect(filtered).toHaveLength(7);
    const unfiltered = await model.recommend('u0', { n: 9, filterAlreadyLiked: false });
    expect(unfiltered).toHaveLength(9);
    expect(unfiltered.slice(0, 3).map((entry) => entry.itemId).sort()).toEqual(['a', 'b', 'c']);
  });

  it('returns scores in descending order', async () => {
    const scores = (await model.recommend('u3', { n: 9, filterAlreadyLiked: false })).map((entry) => entry.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('honours filterItems and items together', async () => {
    const result = await model.recommend('u0', { n: 5, items: ['a', 'b', 'd', 'g'], filterItems: ['a'] });
    expect(result.map((entry) => entry.itemId).sort()).toEqual(['d', 'g']);
  });

  it('filters the given userItems instead of the training row', async () => {
    const result = await model.recommend('u0', { n: 9, userItems: ['a', 'd'] });
    expect(result.map((entry) => entry.itemId)).not.toContain('a');
    expect(result.map((entry) => entry.itemId)).toContain('b');
  });

  it('folds a user in from their items', async () => {
    // The fold-in is one exact user step against the fitted item factors.
    const confidence = new CsrMatrix({ indptr: Uint32Array.of(0, 2), indices: Uint32Array.of(3, 4), data: Float32Array.of(2, 2), shape: [1, 9] });
    const expected = denseSolveSide(denseFromConfidence(confidence), 'users', Float64Array.from(model.itemFactors), 3, 0.05);
    expect(maxAbsDifference(model.recalculateUser(['d', 'e']), expected)).toBeLessThan(CHOLESKY_VS_DENSE_ABS);

    const top = await model.recommend('a new user', { n: 1, recalculateUser: true, userItems: [['d', 1], 'e'] });
    expect(top[0].itemId).toBe('f');
  });

  it('recalculates a known user from the training row', async () => {
    // After 30 iterations the fit is near convergence, so a fresh user step moves the score by about 1e-3.
    const [stored] = await model.recommend('u6', { n: 1 });
    const [recalculated] = await model.recommend('u6', { n: 1, recalculateUser: true });
    expect(recalculated.itemId).toBe('d');
    expect(stored.itemId).toBe('d');
    expect(recalculated.score).toBeCloseTo(stored.score, 2);
  });

  it('raises unknown_id for ids outside the model', async () => {
    await expect(model.recommend('nobody')).rejects.toThrowErrorMatchingInlineSnapshot(`[InputError: unknown user id "nobody"; it is not among the 12 user ids of the training data]`);
    await expect(model.recommend('u0', { filterItems: ['zz'] })).rejects.toMatchObject({ code: 'unknown_id' });
    await expect(model.similarItems('zz')).rejects.toMatchObject({ code: 'unknown_id' });
  });

  it('rejects bad call options', async () => {
    await expect(model.recommend('u0', { n: -2 })).rejects.toThrowErrorMatchingInlineSnapshot(`[InputError: invalid recommend options: n is -2: expected an integer from 0 to 1000000]`);
    await expect(model.recommend('u0', { count: 3 } as never)).rejects.toThrowErrorMatchingInlineSnapshot(`[InputError: invalid recommend options: unknown option count]`);
    await expect(model.recommend('u0', { userItems: [['a', Number.POSITIVE_INFINITY]] })).rejects.toThrowErrorMatchingInlineSnapshot(`[InputError: invalid recommend options: userItems.0 is an array: expected an item id or an [itemId, value] pair with a finite value]`);
  });

  it('returns only real items when n exceeds them', async () => {
    const result = await model.recommend('u0', { n: 50, items: ['a', 'e'] });
    expect(result.map((entry) => entry.itemId).sort()).toEqual(['a', 'e']);
  });

  it('batches every user with the single-user results', async () => {
    const batch = await model.recommendBatch(undefined, { n: 4 });
    expect(batch.userIds).toEqual(userNames);
    expect(batch.n).toBe(4);
    expect(batch.items).toHaveLength(12 * 4);
    for (const [row, userId] of batch.userIds.entries()) {
      expect(batchRow(batch, row)).toEqual(await model.recommend(userId, { n: 4 }));
    }
  });

  it('pads batch rows with -1 and -Infinity', async () => {
    const batch = await model.recommendBatch(['u1', 'u9'], { n: 3, items: ['a', 'b', 'c'] });
    expect(batch.userIds).toEqual(['u1', 'u9']);
    // u1 liked a and c, so only b remains for it; u9 liked none of them.
    expect(Array.from(batch.items.subarray(0, 3))).toEqual([1, -1, -1]);
    expect(batch.scores[1]).toBe(-Infinity);
    expect(batchRow(batch, 1)).toHaveLength(3);
  });

  it('ranks indices for evaluation with an exclusion matrix', async () => {
    const users = Uint32Array.of(0, 5, 11);
    const result = await model.recommendIndices(users, { n: 2, exclude: interactions.userItems });
    const batch = await model.recommendBatch(['u0', 'u5', 'u11'], { n: 2 });
    expect(result.ids).toEqual(batch.items);
    expect(result.scores).toEqual(batch.scores);
    await expect(model.recommendIndices(Uint32Array.of(12), { n: 2 })).rejects.toThrowErrorMatchingInlineSnapshot(`[InputError: user index 12 is out of range for 12 users]`);
  });

  it('finds similar items by cosine, the item itself first', async () => {
    const similar = await model.similarItems('d', { n: 3 });
    expect(similar[0].itemId).toBe('d');
    expect(similar[0].score).toBeCloseTo(1, 5);
    expect(similar.slice(1).map((entry) => entry.itemId).sort()).toEqual(['e', 'f']);
    const filtered = await model.similarItems('d', { n: 2, filterItems: ['d'], items: ['a', 'd', 'e'] });
    expect(filtered.map((entry) => entry.itemId)).toEqual(['e', 'a']);
  });

  it('finds similar users by cosine, the user itself first', async () => {
    const similar = await model.similarUsers('u8', { n: 4 });
    expect(similar[0].userId).toBe('u8');
    expect(similar.slice(1).map((entry) => entry.userId).sort()).toEqual(['u10', 'u11', 'u9']);
    expect(await model.similarUsers('u8', { n: 1, filterUsers: ['u8'], users: ['u0', 'u9'] })).toEqual([{ userId: 'u9', score: expect.any(Number) }]);
  });
});
