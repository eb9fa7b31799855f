// Similar items for several items in one scorer call must equal the results for each item alone.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlternatingLeastSquares } from '../../src/als/index.js';
import type { Backend } from '../../src/backends/backend.js';
import { IdMap } from '../../src/csr/id-map.js';
import { backendFactories } from '../helpers/backend-factories.js';
import { randomSparse } from '../helpers/small-matrices.js';

const interactions = {
  userIds: new IdMap(Array.from({ length: 50 }, (_, u) => `u${u}`)),
  itemIds: new IdMap(Array.from({ length: 40 }, (_, i) => `i${i}`)),
  userItems: randomSparse(50, 40, 0.2, 11),
};

describe.each(backendFactories)('similarItemsTopN on $name', ({ create }) => {
  let backend: Backend;
  let model: AlternatingLeastSquares;

  beforeAll(async () => {
    backend = await create();
    model = new AlternatingLeastSquares({ factors: 6, iterations: 4, seed: 3, backend });
    await model.fit(interactions);
  });

  afterAll(async () => {
    await model.dispose();
    await backend.dispose();
  });

  it('gives each row the one-item result', async () => {
    // Repeated and unordered items, as concurrent requests bring them.
    const items = Uint32Array.of(7, 0, 39, 7, 12);
    const n = 5;
    const batched = await model.similarItemsTopN(items, n);
    expect(batched.n).toBe(n);
    for (let k = 0; k < items.length; k++) {
      const alone = await model.similarItems(`i${items[k]}`, { n });
      const row = Array.from(batched.ids.subarray(k * n, (k + 1) * n), (index) => `i${index}`);
      expect(row).toEqual(alone.map((entry) => entry.itemId));
      expect(Array.from(batched.scores.subarray(k * n, (k + 1) * n))).toEqual(alone.map((entry) => entry.score));
    }
  });

  it('caps n at the number of items', async () => {
    const batched = await model.similarItemsTopN(Uint32Array.of(3), 100);
    expect(batched.n).toBe(40);
    expect(batched.ids[0]).toBe(3);
  });

  it('rejects an item index out of range', async () => {
    await expect(model.similarItemsTopN(Uint32Array.of(40), 3)).rejects.toThrow('item index 40 is out of range for 40 items');
  });
});
