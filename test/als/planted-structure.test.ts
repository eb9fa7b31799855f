// ALS finds the genres the synthetic generator plants: a user's recommendations come mostly from the
// user's home genre, far more often than a popularity ranking's do.

import { describe, expect, it } from 'vitest';
import { AlternatingLeastSquares } from '../../src/als/index.js';
import { MostPopular } from '../../src/recommend/most-popular.js';
import type { TopNResult } from '../../src/backends/backend.js';
import { generateLastfmLike } from '../../src/synthetic/index.js';

/** Share of recommended items that lie in the user's home genre. */
function homeGenreShare(result: TopNResult, users: Uint32Array, userGenre: ArrayLike<number>, itemGenre: ArrayLike<number>): number {
  let home = 0;
  let total = 0;
  for (let row = 0; row < users.length; row++) {
    for (let k = 0; k < result.n; k++) {
      const item = result.ids[row * result.n + k];
      if (item < 0) continue;
      total++;
      if (itemGenre[item] === userGenre[users[row]]) home++;
    }
  }
  return home / total;
}

describe('planted structure recovery', () => {
  it('recommends mostly from the home genre', async () => {
    const data = generateLastfmLike({ scale: 0.01, seed: 5, genres: 16 });
    const { userGenre, itemGenre } = data.planted;
    const users = Uint32Array.from({ length: data.userItems.nRows }, (_, user) => user);

    const model = new AlternatingLeastSquares({ factors: 24, iterations: 8, regularization: 0.05, seed: 3, device: 'cpu', threads: 2 });
    try {
      await model.fit(data);
      const als = await model.recommendIndices(users, { n: 10, exclude: data.userItems });
      const popular = await new MostPopular(data.userItems).recommendIndices(users, { n: 10, exclude: data.userItems });

      const alsShare = homeGenreShare(als, users, userGenre, itemGenre);
      const popularShare = homeGenreShare(popular, users, userGenre, itemGenre);
      // A ranking blind to genres lands in the home genre about 1/16 of the time (measured: 0.02), and
      // ALS about half the time (measured: 0.54, since users draw half of their items from the home genre).
      expect(popularShare).toBeLessThan(0.1);
      expect(alsShare).toBeGreaterThan(0.4);
      expect(alsShare).toBeGreaterThan(3 * popularShare);
    } finally {
      await model.dispose();
    }
  });
});
