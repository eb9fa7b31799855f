import { describe, expect, it } from 'vitest';
import { rankingMetricsAtK, trainTestSplit } from '../../src/evaluate/index.js';
import { MostPopular } from '../../src/recommend/most-popular.js';
import { csrFromRows, randomCsr } from '../evaluate/fixtures.js';

// Item popularity (users per item) in this 5 x 5 matrix: item 0: 2, item 1: 4, item 2: 2, item 3: 0,
// item 4: 3. Ranking with ties to the lower index: 1 4 0 2 3.
const userItems = csrFromRows([[0, 1], [1, 4], [1, 2, 4], [0, 1, 2, 4], []], 5);

describe('MostPopular', () => {
  it('counts users per item', () => {
    expect(Array.from(new MostPopular(userItems).popularity)).toEqual([2, 4, 2, 0, 3]);
  });

  it('ranks by popularity, ties to lower index', async () => {
    const result = await new MostPopular(userItems).recommendIndices(Uint32Array.of(4), { n: 5 });
    expect(result.n).toBe(5);
    expect(Array.from(result.ids)).toEqual([1, 4, 0, 2, 3]);
    expect(Array.from(result.scores)).toEqual([4, 3, 2, 2, 0]);
  });

  it('leaves out excluded items per user', async () => {
    const result = await new MostPopular(userItems).recommendIndices(Uint32Array.of(0, 1, 4), { n: 2, exclude: userItems });
    // User 0 has 0 and 1, user 1 has 1 and 4, user 4 has nothing.
    expect(Array.from(result.ids)).toEqual([4, 2, 0, 2, 1, 4]);
    expect(Array.from(result.scores)).toEqual([3, 2, 2, 2, 4, 3]);
  });

  it('pads rows with -1 and -Infinity', async () => {
    // User 3 has 4 of the 5 items, so only item 3 is left.
    const result = await new MostPopular(userItems).recommendIndices(Uint32Array.of(3), { n: 3, exclude: userItems });
    expect(Array.from(result.ids)).toEqual([3, -1, -1]);
    expect(Array.from(result.scores)).toEqual([0, -Infinity, -Infinity]);
  });

  it('returns rows in the order of users', async () => {
    const model = new MostPopular(userItems);
    const forward = await model.recommendIndices(Uint32Array.of(0, 1), { n: 3, exclude: userItems });
    const backward = await model.recommendIndices(Uint32Array.of(1, 0), { n: 3, exclude: userItems });
    expect(Array.from(backward.ids)).toEqual([...forward.ids.subarray(3), ...forward.ids.subarray(0, 3)]);
  });

  it('returns an empty result for no users', async () => {
    const result = await new MostPopular(userItems).recommendIndices(new Uint32Array(0), { n: 3 });
    expect(result.ids.length).toBe(0);
    expect(result.scores.length).toBe(0);
  });

  it('rejects n below one', async () => {
    await expect(new MostPopular(userItems).recommendIndices(Uint32Array.of(0), { n: 0 })).rejects.toThrowErrorMatchingInlineSnapshot(`[InputError: MostPopular.recommendIndices: option n is 0, expected an integer of at least 1]`);
  });

  it('rejects exclude with another item count', async () => {
    const wide = csrFromRows([[0], [], [], [], []], 6);
    await expect(new MostPopular(userItems).recommendIndices(Uint32Array.of(0), { n: 2, exclude: wide })).rejects.toThrowErrorMatchingInlineSnapshot(`[InputError: MostPopular.recommendIndices: exclude has 6 items but the model was built with 5; pass a users x items matrix of the training item space]`);
  });

  it('rejects users without a row in exclude', async () => {
    await expect(new MostPopular(userItems).recommendIndices(Uint32Array.of(5), { n: 2, exclude: userItems })).rejects.toThrowErrorMatchingInlineSnapshot(`[InputError: MostPopular.recommendIndices: user index 5 has no row in exclude, which has 5 users; pass exclude with a row for every requested user]`);
  });

  it('evaluates on a split within metric bounds', async () => {
    const ratings = randomCsr(200, 80, 0.08, 21);
    const { train, test } = trainTestSplit(ratings, { seed: 4 });
    const metrics = await rankingMetricsAtK(new MostPopular(train), train, test, { k: 10, batchSize: 64 });
    let usersWithTest = 0;
    for (let user = 0; user < test.nRows; user++) if (test.rowLength(user) > 0) usersWithTest++;
    expect(metrics.users).toBe(usersWithTest);
    for (const value of [metrics.precision, metrics.map, metrics.ndcg, metrics.auc, metrics.recall]) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(1);
    }
  });
});
