// Small matrices and a fixed-ranking recommender for the evaluate/ and most-popular tests.

import type { TopNResult } from '../../src/backends/backend.js';
import { CsrMatrix } from '../../src/csr/csr-matrix.js';
import { Random } from '../../src/random.js';
import type { IndexRecommender, IndexRecommendOptions } from '../../src/recommend/types.js';

/** Builds a CSR matrix from per-row column lists (any order); every value is `value`. */
export function csrFromRows(rows: number[][], nCols: number, value = 1): CsrMatrix {
  const indptr = new Uint32Array(rows.length + 1);
  rows.forEach((columns, row) => (indptr[row + 1] = indptr[row] + columns.length));
  const indices = Uint32Array.from(rows.flatMap((columns) => [...columns].sort((a, b) => a - b)));
  const data = new Float32Array(indices.length).fill(value);
  return new CsrMatrix({ indptr, indices, data, shape: [rows.length, nCols] });
}

/** Returns row `row` of `matrix` as a plain array of column indices. */
export function rowItems(matrix: CsrMatrix, row: number): number[] {
  return Array.from(matrix.row(row).indices);
}

/** Builds a random users x items matrix where each cell is stored with probability `density`, values in [1, 5]. */
export function randomCsr(nRows: number, nCols: number, density: number, seed: number): CsrMatrix {
  const random = new Random(seed);
  const indptr = new Uint32Array(nRows + 1);
  const indices: number[] = [];
  const data: number[] = [];
  for (let row = 0; row < nRows; row++) {
    for (let col = 0; col < nCols; col++) {
      if (random.next() < density) {
        indices.push(col);
        data.push(1 + random.nextInt(5));
      }
    }
    indptr[row + 1] = indices.length;
  }
  return new CsrMatrix({ indptr, indices: Uint32Array.from(indices), data: Float32Array.from(data), shape: [nRows, nCols] });
}

/**
 * Recommends from a fixed preference list per user, best first: drops the user's excluded items, keeps
 * the first n and pads with -1. Records every batch it was asked for.
 */
export class FixedRankingRecommender implements IndexRecommender {
  readonly batches: number[][] = [];

  constructor(private readonly preferences: ReadonlyMap<number, readonly number[]>) {}

  async recommendIndices(users: Uint32Array, options: IndexRecommendOptions): Promise<TopNResult> {
    const { n, exclude } = options;
    this.batches.push(Array.from(users));
    const ids = new Int32Array(users.length * n).fill(-1);
    const scores = new Float32Array(users.length * n).fill(-Infinity);
    users.forEach((user, row) => {
      const excluded = new Set(exclude === undefined ? [] : rowItems(exclude, user));
      const recommended = (this.preferences.get(user) ?? []).filter((item) => !excluded.has(item)).slice(0, n);
      recommended.forEach((item, rank) => {
        ids[row * n + rank] = item;
        scores[row * n + rank] = n - rank;
      });
    });
    return { n, ids, scores };
  }
}
