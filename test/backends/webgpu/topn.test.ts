// scoreTopN (shaders/score-topn.wgsl) through WebGpuScorer.topN, against scores sorted in float64.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, Scorer, TopNResult } from '../../../src/backends/backend.js';
import { createWebGpuBackend } from '../../../src/backends/webgpu/create-backend.js';
import type { Logger } from '../../../src/log.js';
import { randomFactors } from '../../helpers/small-matrices.js';
import { hasAdapter } from './adapter-gate.js';
import { referenceTopN, type ReferenceTopNOptions } from './reference.js';

/**
 * Score difference allowed between the GPU (a float32 dot product) and float64, and the width within
 * which two items count as tied. Inputs lie in [-1, 1), so a dot of F <= 32 terms rounds by at most
 * about F * 6e-8 = 2e-6; 1e-5 covers that.
 */
const SCORE_ABS = 1e-5;

/** Checks `result` against the float64 ranking, letting items within SCORE_ABS of each other swap. */
function expectTopN(result: TopNResult, queries: Float32Array, items: Float32Array, factors: number, n: number, options: ReferenceTopNOptions = {}): void {
  const reference = referenceTopN(queries, items, factors, n, options);
  // Every item's float64 score for each query, to judge swaps the GPU made among near-ties.
  const full = referenceTopN(queries, items, factors, items.length / factors, options);
  expect(result.n).toBe(n);
  reference.ids.forEach((expectedIds, q) => {
    const scoreOf = new Map(full.ids[q].map((item, rank) => [item, full.scores[q][rank]]));
    const ids = [...result.ids.subarray(q * n, (q + 1) * n)];
    const scores = [...result.scores.subarray(q * n, (q + 1) * n)];
    for (let rank = 0; rank < n; rank++) {
      if (rank >= expectedIds.length) {
        expect(ids[rank], `query ${q} rank ${rank} padding id`).toBe(-1);
        expect(scores[rank], `query ${q} rank ${rank} padding score`).toBe(-Infinity);
        continue;
      }
      const expectedScore = reference.scores[q][rank];
      expect(Math.abs(scores[rank] - expectedScore), `query ${q} rank ${rank} score`).toBeLessThanOrEqual(SCORE_ABS);
      if (ids[rank] !== expectedIds[rank]) {
        const actualScore = scoreOf.get(ids[rank]);
        expect(actualScore, `query ${q} rank ${rank}: item ${ids[rank]} is not eligible`).toBeDefined();
        expect(Math.abs(actualScore! - expectedScore), `query ${q} rank ${rank}: ${ids[rank]} instead of ${expectedIds[rank]}`).toBeLessThanOrEqual(SCORE_ABS);
      }
    }
    expect(new Set(ids.filter((id) => id >= 0)).size, `query ${q} repeats an item`).toBe(ids.filter((id) => id >= 0).length);
  });
}

describe.skipIf(!hasAdapter)('webgpu top-N', () => {
  const factors = 12;
  const nItems = 300;
  const items = randomFactors(nItems, factors, 1);
  const queries = randomFactors(20, factors, 2);
  const warnings: string[] = [];
  const logger: Logger = { debug() {}, info() {}, warn: (message) => warnings.push(message), error() {} };
  let backend: Backend;
  let scorer: Scorer;

  beforeAll(async () => {
    backend = await createWebGpuBackend({ logger });
    scorer = await backend.createScorer(items, factors);
  });
  afterAll(async () => {
    await backend.dispose();
  });

  it.each([1, 10, 100, 300])('matches float64 for n = %i', async (n) => {
    expectTopN(await scorer.topN({ queries, n }), queries, items, factors, n);
  });

  it('breaks exact ties toward the lower item index', async () => {
    // Items 0..9 repeat one row and items 10..19 another, so every score is tied ten ways.
    const tiedItems = new Float32Array(20 * 4);
    for (let item = 0; item < 20; item++) tiedItems.set(item < 10 ? [1, 0, 0, 0] : [0.5, 0.5, 0, 0], item * 4);
    const tiedScorer = await backend.createScorer(tiedItems, 4);
    const result = await tiedScorer.topN({ queries: new Float32Array([1, 0, 0, 0, 0, 1, 0, 0]), n: 12 });
    await tiedScorer.dispose();
    expect([...result.ids.subarray(0, 12)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect([...result.ids.subarray(12, 24)]).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 0, 1]);
  });

  it('skips excluded items given as unsorted CSR rows', async () => {
    const indptr = new Uint32Array(21);
    const excluded: number[] = [];
    for (let q = 0; q < 20; q++) {
      // The float64 top 5 of each query, listed in descending score order (so not sorted), plus item 0.
      excluded.push(...referenceTopN(queries.subarray(q * factors, (q + 1) * factors), items, factors, 5).ids[0], 0);
      indptr[q + 1] = excluded.length;
    }
    const exclude = { indptr, indices: Uint32Array.from(excluded) };
    expectTopN(await scorer.topN({ queries, n: 10, exclude }), queries, items, factors, 10, { exclude });
  });

  it('applies filterItems and candidates together', async () => {
    const filterItems = Uint32Array.from({ length: 50 }, (_, k) => k * 3);
    const candidates = Uint32Array.from({ length: 100 }, (_, k) => k * 2 + 1);
    expectTopN(await scorer.topN({ queries, n: 15, filterItems, candidates }), queries, items, factors, 15, { filterItems, candidates });
  });

  it('pads when n exceeds the candidates', async () => {
    const candidates = new Uint32Array([5, 17, 250]);
    const indptr = new Uint32Array(21).fill(1, 1);
    indptr[0] = 0;
    const exclude = { indptr, indices: new Uint32Array([17]) };
    const result = await scorer.topN({ queries, n: 6, candidates, exclude });
    expectTopN(result, queries, items, factors, 6, { candidates, exclude });
    expect([...result.ids.subarray(2, 6)]).toEqual([-1, -1, -1, -1]);
    expect(result.ids.subarray(6, 12).filter((id) => id >= 0).length).toBe(3);
  });

  it('pads when n exceeds the item count', async () => {
    const small = randomFactors(7, 3, 5);
    const smallScorer = await backend.createScorer(small, 3);
    const smallQueries = randomFactors(4, 3, 6);
    expectTopN(await smallScorer.topN({ queries: smallQueries, n: 10 }), smallQueries, small, 3, 10);
    await smallScorer.dispose();
  });

  it('never selects an item whose score is NaN', async () => {
    const withNan = items.slice();
    withNan[4 * factors] = Number.NaN;
    const nanScorer = await backend.createScorer(withNan, factors);
    const result = await nanScorer.topN({ queries, n: nItems });
    await nanScorer.dispose();
    expect(result.ids.includes(4)).toBe(false);
    expect(result.ids[nItems - 1]).toBe(-1);
  });

  it('returns empty results for no queries and for n = 0', async () => {
    expect((await scorer.topN({ queries: new Float32Array(0), n: 5 })).ids.length).toBe(0);
    const none = await scorer.topN({ queries, n: 0 });
    expect(none.ids.length).toBe(0);
  });

  it('selects on the host beyond the GPU limit, with one warning', async () => {
    // 2,000 exceeds maxTopN on every adapter (1024 at 32 KiB of workgroup storage).
    const wide = randomFactors(2100, 4, 7);
    const wideScorer = await backend.createScorer(wide, 4);
    const wideQueries = randomFactors(2, 4, 8);
    expectTopN(await wideScorer.topN({ queries: wideQueries, n: 2000 }), wideQueries, wide, 4, 2000);
    await wideScorer.dispose();
    expect(warnings.filter((message) => message.includes('exceeds the GPU selection limit'))).toHaveLength(1);
  });

  it('splits queries and item pages under forced small limits', async () => {
    // 4096-byte bindings hold 85 item rows of 12 factors: 150 items take two pages. Results of
    // 10 entries x 8 bytes fill a binding every 51 queries, and 3 workgroups per dimension split further.
    const small = await createWebGpuBackend({ limits: { maxStorageBufferBindingSize: 4096, maxComputeWorkgroupsPerDimension: 3 } });
    const pagedItems = items.subarray(0, 150 * factors);
    const manyQueries = randomFactors(60, factors, 9);
    const pagedScorer = await small.createScorer(pagedItems, factors);
    const filterItems = new Uint32Array([84, 85, 86]);
    expectTopN(await pagedScorer.topN({ queries: manyQueries, n: 10, filterItems }), manyQueries, pagedItems, factors, 10, { filterItems });
    await small.dispose();
  });
});
