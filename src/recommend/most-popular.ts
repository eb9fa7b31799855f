// The most-popular baseline: every user gets the items with the most users in the training matrix,
// minus the user's excluded items. Any model should beat it before its numbers mean anything.

import type { TopNResult } from '../backends/backend.js';
import { CsrMatrix } from '../csr/csr-matrix.js';
import { InputError } from '../errors.js';
import type { IndexRecommender, IndexRecommendOptions } from './types.js';

/** Ranks items by popularity, the number of users with a stored value for the item in the training matrix. */
export class MostPopular implements IndexRecommender {
  /** Users per item in the training matrix, indexed by item. */
  readonly popularity: Uint32Array;
  /** Every item index, most popular first; ties go to the lower index. */
  private readonly ranking: Uint32Array;

  /**
   * Counts each item's users in `userItems` (users x items). A stored value counts whatever its
   * value, zero and negative included, as in the CSR structure.
   *
   * @example
   * const baseline = new MostPopular(train);
   * const { ids } = await baseline.recommendIndices(Uint32Array.of(0, 1), { n: 10, exclude: train });
   */
  constructor(userItems: CsrMatrix) {
    if (!(userItems instanceof CsrMatrix)) {
      throw new InputError('invalid_option', 'MostPopular: userItems must be a CsrMatrix (users x items)', {
        where: 'MostPopular.userItems',
        expected: 'a CsrMatrix',
      });
    }
    const popularity = new Uint32Array(userItems.nCols);
    for (let position = 0; position < userItems.nnz; position++) popularity[userItems.indices[position]]++;
    this.popularity = popularity;

    // Sorting the index array with an explicit index tie-break keeps the order independent of sort stability.
    const items = Array.from({ length: userItems.nCols }, (_, item) => item);
    items.sort((a, b) => popularity[b] - popularity[a] || a - b);
    this.ranking = Uint32Array.from(items);
  }

  /** Number of items (columns of the training matrix). */
  get nItems(): number {
    return this.ranking.length;
  }

  /**
   * Returns each user's `n` most popular items that are not in row `users[i]` of `exclude`. Row i of
   * the result (ids and scores, n per row, row-major) belongs to users[i]; scores are popularity counts.
   * Rows with fewer than n eligible items are padded with id -1 and score -Infinity.
   */
  async recommendIndices(users: Uint32Array, options: IndexRecommendOptions): Promise<TopNResult> {
    const { n, exclude } = options;
    this.checkRequest(users, n, exclude);

    const ids = new Int32Array(users.length * n).fill(-1);
    const scores = new Float32Array(users.length * n).fill(-Infinity);
    const isExcluded = new Uint8Array(this.nItems);
    for (let row = 0; row < users.length; row++) {
      const excluded = exclude?.row(users[row]).indices;
      if (excluded !== undefined) for (const item of excluded) isExcluded[item] = 1;

      let filled = 0;
      for (let rank = 0; rank < this.ranking.length && filled < n; rank++) {
        const item = this.ranking[rank];
        if (isExcluded[item] === 1) continue;
        ids[row * n + filled] = item;
        scores[row * n + filled] = this.popularity[item];
        filled++;
      }

      // Clear only the marks this user set, so each row costs its own length, not nItems.
      if (excluded !== undefined) for (const item of excluded) isExcluded[item] = 0;
    }
    return { n, ids, scores };
  }

  private checkRequest(users: Uint32Array, n: number, exclude: CsrMatrix | undefined): void {
    if (!Number.isInteger(n) || n < 1) {
      throw new InputError('invalid_option', `MostPopular.recommendIndices: option n is ${n}, expected an integer of at least 1`, {
        where: 'MostPopular.recommendIndices.n',
        expected: 'an integer of at least 1',
        received: String(n),
      });
    }
    if (exclude === undefined) return;

    if (exclude.nCols !== this.nItems) {
      throw new InputError(
        'csr_shape_mismatch',
        `MostPopular.recommendIndices: exclude has ${exclude.nCols} items but the model was built with ${this.nItems}; pass a users x items matrix of the training item space`,
        { where: 'MostPopular.recommendIndices.exclude', expected: String(this.nItems), received: String(exclude.nCols) },
      );
    }
    for (const user of users) {
      if (user >= exclude.nRows) {
        throw new InputError(
          'unknown_id',
          `MostPopular.recommendIndices: user index ${user} has no row in exclude, which has ${exclude.nRows} users; pass exclude with a row for every requested user`,
          { where: 'MostPopular.recommendIndices.users', expected: `indices below ${exclude.nRows}`, received: String(user) },
        );
      }
    }
  }
}
