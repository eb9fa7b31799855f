// The pruned WebAssembly top-N path against a brute-force float64 reference and against the
// TypeScript kernels: same ids and same score bits, ties to the lower index, on random and
// adversarial item norms.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, TopNRequest, TopNResult } from '../../../src/backends/backend.js';
import { startCpuBackend } from '../../../src/backends/cpu/create-backend.js';
import { Random } from '../../../src/random.js';
import { randomFactors } from '../../helpers/small-matrices.js';

/** Brute force: every eligible item's float64 dot product rounded to float32, best first, ties to the lower index. */
function referenceTopN(itemFactors: Float32Array, factors: number, request: TopNRequest): TopNResult {
  const nQueries = request.queries.length / factors;
  const nItems = itemFactors.length / factors;
  const { n } = request;
  const ids = new Int32Array(nQueries * n).fill(-1);
  const scores = new Float32Array(nQueries * n).fill(-Infinity);
  const filtered = new Set(request.filterItems ?? []);
  for (let q = 0; q < nQueries; q++) {
    const excluded = new Set(request.exclude === undefined ? [] : request.exclude.indices.subarray(request.exclude.indptr[q], request.exclude.indptr[q + 1]));
    const scored: Array<[number, number]> = [];
    for (let item = 0; item < nItems; item++) {
      if (filtered.has(item) || excluded.has(item)) continue;
      let sum = 0;
      for (let f = 0; f < factors; f++) sum += request.queries[q * factors + f] * itemFactors[item * factors + f];
      if (!Number.isNaN(sum)) scored.push([item, Math.fround(sum)]);
    }
    scored.sort((a, b) => (a[1] === b[1] ? a[0] - b[0] : b[1] - a[1]));
    scored.slice(0, n).forEach(([item, score], k) => {
      ids[q * n + k] = item;
      scores[q * n + k] = score;
    });
  }
  return { n, ids, scores };
}

/** Items whose norms span twelve orders of magnitude, in random directions. */
function spreadNorms(nItems: number, factors: number, seed: number): Float32Array {
  const random = new Random(seed);
  const items = randomFactors(nItems, factors, seed);
  for (let item = 0; item < nItems; item++) {
    const scale = 10 ** (12 * random.next() - 6);
    for (let f = 0; f < factors; f++) items[item * factors + f] *= scale;
  }
  return items;
}

/** Returns exclusion rows of `perQuery` random items per query, unsorted and possibly repeated. */
function randomExclusions(nQueries: number, nItems: number, perQuery: number, seed: number): { indptr: Uint32Array; indices: Uint32Array } {
  const random = new Random(seed);
  const indptr = Uint32Array.from({ length: nQueries + 1 }, (_, q) => q * perQuery);
  const indices = Uint32Array.from({ length: nQueries * perQuery }, () => random.nextInt(nItems));
  return { indptr, indices };
}

describe('pruned top-N', () => {
  let wasm: Backend;
  let wasmWorkers: Backend;
  let typescript: Backend;

  beforeAll(async () => {
    [wasm, wasmWorkers, typescript] = await Promise.all([
      startCpuBackend({ threads: 2 }, 'auto'),
      startCpuBackend({ threads: 2, inlineMaxWork: 0 }, 'auto'),
      startCpuBackend({ threads: 2 }, 'typescript'),
    ]);
  });

  afterAll(async () => {
    await Promise.all([wasm.dispose(), wasmWorkers.dispose(), typescript.dispose()]);
  });

  /** Checks that `backend` returns the reference lists for `request`, bit for bit. */
  async function expectExact(backend: Backend, itemFactors: Float32Array, factors: number, request: TopNRequest): Promise<void> {
    const scorer = await backend.createScorer(itemFactors, factors);
    try {
      const result = await scorer.topN(request);
      const expected = referenceTopN(itemFactors, factors, request);
      expect(Array.from(result.ids)).toEqual(Array.from(expected.ids));
      expect(Array.from(result.scores)).toEqual(Array.from(expected.scores));
    } finally {
      await scorer.dispose();
    }
  }

  it.each([
    [3, 1],
    [8, 10],
    [13, 25],
    [64, 10],
  ])('equals brute force at %i factors, n = %i', async (factors, n) => {
    const itemFactors = randomFactors(900, factors, factors);
    const queries = randomFactors(20, factors, factors + 1);
    for (const backend of [wasm, wasmWorkers]) {
      await expectExact(backend, itemFactors, factors, { queries, n, exclude: randomExclusions(20, 900, 15, 3) });
      await expectExact(backend, itemFactors, factors, { queries: queries.subarray(0, factors), n });
    }
  });

  it('equals brute force with norms over twelve orders of magnitude', async () => {
    const itemFactors = spreadNorms(1500, 16, 5);
    const queries = spreadNorms(12, 16, 6);
    await expectExact(wasm, itemFactors, 16, { queries, n: 10, filterItems: Uint32Array.of(3, 50, 7) });
    await expectExact(wasmWorkers, itemFactors, 16, { queries, n: 10 });
  });

  it('equals brute force when large-norm items point away from the query', async () => {
    // Items 0..99 are long and opposite to the query; the best items are short and aligned.
    const factors = 12;
    const query = randomFactors(1, factors, 8);
    const itemFactors = randomFactors(600, factors, 9, 0.01);
    for (let item = 0; item < 100; item++) for (let f = 0; f < factors; f++) itemFactors[item * factors + f] = -1000 * query[f] + itemFactors[item * factors + f];
    await expectExact(wasm, itemFactors, factors, { queries: query, n: 5 });
  });

  it('equals brute force when every score is negative', async () => {
    const factors = 6;
    const itemFactors = randomFactors(400, factors, 10).map(Math.abs);
    const query = randomFactors(1, factors, 11).map((value) => -Math.abs(value) - 0.1);
    await expectExact(wasm, itemFactors, factors, { queries: query, n: 7 });
  });

  it('breaks ties toward the lower index', async () => {
    // Items repeat every 7 rows, so each score occurs many times.
    const factors = 9;
    const base = randomFactors(7, factors, 12);
    const itemFactors = Float32Array.from({ length: 700 * factors }, (_, k) => base[k % (7 * factors)]);
    await expectExact(wasm, itemFactors, factors, { queries: randomFactors(3, factors, 13), n: 30 });
    // A zero query scores every item 0: the lowest indices win.
    await expectExact(wasm, itemFactors, factors, { queries: new Float32Array(factors), n: 4 });
  });

  it('pads the rows when n exceeds the eligible items', async () => {
    const factors = 5;
    const itemFactors = randomFactors(9, factors, 14);
    await expectExact(wasm, itemFactors, factors, { queries: randomFactors(2, factors, 15), n: 12, exclude: { indptr: Uint32Array.of(0, 2, 2), indices: Uint32Array.of(4, 1) } });
  });

  it('matches the TypeScript kernels on non-finite items and queries', async () => {
    const factors = 7;
    const itemFactors = randomFactors(300, factors, 16);
    itemFactors[5 * factors] = Infinity;
    itemFactors[9 * factors + 2] = Number.NaN;
    const queries = randomFactors(4, factors, 17);
    queries[factors + 1] = Number.NaN;
    const request: TopNRequest = { queries, n: 10 };
    const [fromWasm, fromTypescript] = await Promise.all([wasm.createScorer(itemFactors, factors), typescript.createScorer(itemFactors, factors)]);
    expect(await fromWasm.topN(request)).toEqual(await fromTypescript.topN(request));
    await Promise.all([fromWasm.dispose(), fromTypescript.dispose()]);
  });

  it('matches the TypeScript kernels with candidates and filters', async () => {
    const factors = 10;
    const itemFactors = randomFactors(500, factors, 18);
    const request: TopNRequest = {
      queries: randomFactors(40, factors, 19),
      n: 6,
      candidates: Uint32Array.from({ length: 120 }, (_, k) => 4 * k),
      filterItems: Uint32Array.of(8, 12),
      exclude: randomExclusions(40, 500, 3, 20),
    };
    const [fromWasm, fromTypescript] = await Promise.all([wasm.createScorer(itemFactors, factors), typescript.createScorer(itemFactors, factors)]);
    expect(await fromWasm.topN(request)).toEqual(await fromTypescript.topN(request));
    await Promise.all([fromWasm.dispose(), fromTypescript.dispose()]);
  });
});
