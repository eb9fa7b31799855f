// Y^T Y prepared ahead of the first fold-in (WebAssembly kernel) against the float64 TypeScript kernel.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlternatingLeastSquares } from '../../src/als/index.js';
import { ScoringCache } from '../../src/als/scoring-cache.js';
import type { Backend } from '../../src/backends/backend.js';
import { createCpuBackend } from '../../src/backends/cpu/index.js';
import { computeGram, loadKernelModule } from '../../src/backends/cpu/kernels/index.js';
import { IdMap } from '../../src/csr/id-map.js';
import { Random } from '../../src/random.js';
import { randomSparse } from '../helpers/small-matrices.js';

/**
 * The kernel sums blocks of 64 rows in float32, so each entry may be off by about 64 float32 roundings
 * of sum |y_a y_b| <= sqrt(G_aa G_bb) (Cauchy-Schwarz): 64 * 2^-24 < 4e-6 of that.
 */
const GRAM_RELATIVE = 4e-6;

function expectGramClose(actual: Float64Array, expected: Float64Array, factors: number): void {
  for (let a = 0; a < factors; a++) {
    for (let b = 0; b < factors; b++) {
      const scale = Math.sqrt(expected[a * factors + a] * expected[b * factors + b]);
      expect(Math.abs(actual[a * factors + b] - expected[a * factors + b])).toBeLessThanOrEqual(GRAM_RELATIVE * scale);
    }
  }
}

describe('prepared item Gram matrix', () => {
  it('matches the TypeScript kernel over several chunks', async () => {
    // 20,000 rows span three chunks of the prepared path; 12 factors leave a partial SIMD tile.
    const factors = 12;
    const nItems = 20_000;
    const random = new Random(5);
    const itemFactors = new Float32Array(nItems * factors).map(() => (random.next() - 0.5) * (1 + 4 * random.next()));
    const expected = new Float64Array(factors * factors);
    computeGram(itemFactors, factors, nItems, expected);

    // The backend only builds scorers, which this test does not ask for.
    const cache = new ScoringCache({} as Backend, new Float32Array(0), itemFactors, factors);
    await cache.prepareItemGram();
    const prepared = cache.itemGram();
    expectGramClose(prepared, expected, factors);
    for (let a = 0; a < factors; a++) {
      for (let b = 0; b < a; b++) expect(prepared[a * factors + b]).toBe(prepared[b * factors + a]);
    }
  });

  it('computes the same matrix on first use once the kernels are compiled', async () => {
    const factors = 7;
    const nItems = 9_000;
    const random = new Random(8);
    const itemFactors = new Float32Array(nItems * factors).map(() => random.next() - 0.5);
    expect((await loadKernelModule()).module).toBeDefined();

    const prepared = new ScoringCache({} as Backend, new Float32Array(0), itemFactors, factors);
    await prepared.prepareItemGram();
    const onFirstUse = new ScoringCache({} as Backend, new Float32Array(0), itemFactors, factors).itemGram();
    expect(Array.from(onFirstUse)).toEqual(Array.from(prepared.itemGram()));
  });

  it('gives an empty matrix zeros', async () => {
    const cache = new ScoringCache({} as Backend, new Float32Array(0), new Float32Array(0), 4);
    await cache.prepareItemGram();
    expect(Array.from(cache.itemGram())).toEqual(Array(16).fill(0));
  });

  describe('fold-in after prepareFoldIn', () => {
    let backend: Backend;
    const models: AlternatingLeastSquares[] = [];
    const interactions = {
      userIds: new IdMap(Array.from({ length: 60 }, (_, u) => `u${u}`)),
      itemIds: new IdMap(Array.from({ length: 150 }, (_, i) => `i${i}`)),
      userItems: randomSparse(60, 150, 0.1, 8),
    };

    beforeAll(async () => {
      backend = await createCpuBackend({ threads: 1 });
    });

    afterAll(async () => {
      for (const model of models) await model.dispose();
      await backend.dispose();
    });

    it('matches the lazily computed Gram matrix', async () => {
      for (let k = 0; k < 2; k++) {
        const model = new AlternatingLeastSquares({ factors: 8, iterations: 3, seed: 2, backend });
        await model.fit(interactions);
        models.push(model);
      }
      const [prepared, lazy] = models;
      await prepared.prepareFoldIn();
      const items: Array<[string, number]> = [['i3', 2], ['i40', 1], ['i77', 5], ['i149', 1]];
      const preparedRow = prepared.recalculateUser(items);
      const lazyRow = lazy.recalculateUser(items);
      for (let f = 0; f < 8; f++) expect(preparedRow[f]).toBeCloseTo(lazyRow[f], 5);
      const expected = await lazy.recommend('u0', { n: 10, recalculateUser: true, userItems: items });
      const actual = await prepared.recommend('u0', { n: 10, recalculateUser: true, userItems: items });
      expect(actual.map((entry) => entry.itemId)).toEqual(expected.map((entry) => entry.itemId));
    });
  });
});
