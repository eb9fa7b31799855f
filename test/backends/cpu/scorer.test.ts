// CPU scorer internals: the inline path, the split by queries and the split by items must agree.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, TopNRequest } from '../../../src/backends/backend.js';
import { createCpuBackend } from '../../../src/backends/cpu/index.js';
import { randomFactors } from '../../helpers/small-matrices.js';

const factors = 6;
const nItems = 700;
const itemFactors = randomFactors(nItems, factors, 21);

/** Query q excludes items 3q .. 3q + 4; items 10..19 are filtered for all. */
function requestFor(nQueries: number, n: number): TopNRequest {
  const indptr = Uint32Array.from({ length: nQueries + 1 }, (_, q) => 5 * q);
  const indices = Uint32Array.from({ length: 5 * nQueries }, (_, k) => 3 * Math.floor(k / 5) + (k % 5));
  return {
    queries: randomFactors(nQueries, factors, 22 + nQueries),
    n,
    exclude: { indptr, indices },
    filterItems: Uint32Array.from({ length: 10 }, (_, k) => 10 + k),
  };
}

describe('cpu scorer', () => {
  let inline: Backend;
  let workers: Backend;

  beforeAll(async () => {
    [inline, workers] = await Promise.all([
      createCpuBackend({ threads: 1, inlineMaxWork: Number.MAX_SAFE_INTEGER }),
      createCpuBackend({ threads: 2, inlineMaxWork: 0 }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([inline.dispose(), workers.dispose()]);
  });

  // One query is split by items across the workers; 40 queries (more than 2 threads x 8) by queries.
  it.each([1, 3, 40])('gives the inline result through the workers for %i queries', async (nQueries) => {
    const [inlineScorer, workerScorer] = await Promise.all([inline.createScorer(itemFactors, factors), workers.createScorer(itemFactors, factors)]);
    const request = requestFor(nQueries, 15);
    const expected = await inlineScorer.topN(request);
    expect(await workerScorer.topN(request)).toEqual(expected);
    expect(expected.ids.length).toBe(nQueries * 15);
    await Promise.all([inlineScorer.dispose(), workerScorer.dispose()]);
  });

  it('scores lent item factors in place', async () => {
    const lent = workers.allocateFitArray?.(Float32Array, itemFactors.length);
    expect(lent).toBeDefined();
    const itemsInArena = lent as Float32Array;
    itemsInArena.set(itemFactors);
    const [inlineScorer, lentScorer] = await Promise.all([inline.createScorer(itemFactors, factors), workers.createScorer(itemsInArena, factors)]);
    const request = requestFor(40, 15);
    expect(await lentScorer.topN(request)).toEqual(await inlineScorer.topN(request));

    // Disposing the scorer leaves the lent array to its holder: a new allocation must not reuse it.
    await lentScorer.dispose();
    const other = workers.allocateFitArray?.(Float32Array, itemFactors.length);
    expect(itemsInArena).toEqual(itemFactors);
    if (other !== undefined) workers.releaseFitArray?.(other);
    workers.releaseFitArray?.(itemsInArena);
    await inlineScorer.dispose();
  });

  it('accepts unsorted index lists', async () => {
    const scorer = await workers.createScorer(itemFactors, factors);
    const queries = randomFactors(2, factors, 5);
    const sorted = await scorer.topN({ queries, n: 5, candidates: Uint32Array.from([2, 4, 8, 16, 32, 64]), exclude: { indptr: Uint32Array.from([0, 2, 2]), indices: Uint32Array.from([4, 8]) } });
    const unsorted = await scorer.topN({ queries, n: 5, candidates: Uint32Array.from([64, 2, 16, 8, 4, 32, 2]), exclude: { indptr: Uint32Array.from([0, 2, 2]), indices: Uint32Array.from([8, 4]) } });
    expect(unsorted).toEqual(sorted);
    await scorer.dispose();
  });

  it('returns empty rows for n = 0 and no queries', async () => {
    const scorer = await workers.createScorer(itemFactors, factors);
    expect(await scorer.topN({ queries: randomFactors(2, factors, 1), n: 0 })).toEqual({ n: 0, ids: new Int32Array(0), scores: new Float32Array(0) });
    expect(await scorer.topN({ queries: new Float32Array(0), n: 3 })).toEqual({ n: 3, ids: new Int32Array(0), scores: new Float32Array(0) });
    await scorer.dispose();
  });

  it('rejects malformed requests', async () => {
    const scorer = await workers.createScorer(itemFactors, factors);
    await expect(scorer.topN({ queries: new Float32Array(7), n: 3 })).rejects.toThrowErrorMatchingInlineSnapshot(`[InputError: queries has 7 values, which is not a multiple of factors (6); pass nQueries x 6 values row-major]`);
    await expect(scorer.topN({ queries: new Float32Array(6), n: 3, candidates: Uint32Array.from([700]) })).rejects.toThrowErrorMatchingInlineSnapshot(`[InputError: candidates contains item index 700, but the scorer has 700 items (indices 0 to 699)]`);
    await expect(scorer.topN({ queries: new Float32Array(6), n: -1 })).rejects.toThrowErrorMatchingInlineSnapshot(`[InputError: n is -1; expected an integer >= 0]`);
    await expect(
      scorer.topN({ queries: new Float32Array(6), n: 3, exclude: { indptr: Uint32Array.from([0]), indices: new Uint32Array(0) } }),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`[InputError: exclude.indptr has 1 entries for 1 queries, expected nQueries + 1 = 2 ending at most at indices.length (0)]`);
    await scorer.dispose();
    await expect(scorer.topN({ queries: new Float32Array(6), n: 3 })).rejects.toThrowErrorMatchingInlineSnapshot(`[InputError: this scorer was disposed; create a new one with backend.createScorer]`);
  });
});
