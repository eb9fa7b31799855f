// Top-N for many users at once: user factor rows and their excluded items gathered in blocks and
// scored in one request per block.

import type { TopNResult } from '../backends/backend.js';
import type { CsrMatrix } from '../csr/csr-matrix.js';
import { InputError } from '../errors.js';
import type { FactorModelState } from './model-state.js';

/**
 * Users per scorer request. Large enough that each request keeps every worker busy, small enough
 * that the gathered queries (4096 x factors floats) and results stay a few megabytes.
 */
export const BATCH_USERS = 4096;

/** Copies rows `users` of a row-major matrix with `width` columns into a new array. */
export function gatherRows(matrix: Float32Array, width: number, users: Uint32Array): Float32Array {
  const out = new Float32Array(users.length * width);
  for (let k = 0; k < users.length; k++) out.set(matrix.subarray(users[k] * width, (users[k] + 1) * width), k * width);
  return out;
}

/** Returns rows `users` of `matrix` as CSR arrays whose indptr starts at 0. */
export function gatherCsrRows(matrix: CsrMatrix, users: Uint32Array): { indptr: Uint32Array; indices: Uint32Array } {
  const indptr = new Uint32Array(users.length + 1);
  for (let k = 0; k < users.length; k++) indptr[k + 1] = indptr[k] + matrix.rowLength(users[k]);
  const indices = new Uint32Array(indptr[users.length]);
  for (let k = 0; k < users.length; k++) indices.set(matrix.row(users[k]).indices, indptr[k]);
  return { indptr, indices };
}

export interface UsersTopNOptions {
  n: number;
  /** users x items matrix whose row u lists the items to leave out for user u. */
  exclude?: CsrMatrix;
  filterItems?: Uint32Array;
  candidates?: Uint32Array;
}

/** Checks that `exclude` has one column per item and a row for every requested user. */
function checkExcludeShape(exclude: CsrMatrix, state: FactorModelState, users: Uint32Array): void {
  let maxUser = -1;
  for (let k = 0; k < users.length; k++) maxUser = Math.max(maxUser, users[k]);
  if (exclude.nCols !== state.itemIds.size || exclude.nRows <= maxUser) {
    throw new InputError(
      'csr_shape_mismatch',
      `exclude is ${exclude.nRows} x ${exclude.nCols}, but the model has ${state.itemIds.size} items and user index ${maxUser} was requested; pass a users x items matrix in the model's id space`,
      { where: 'exclude', expected: `at least ${maxUser + 1} x ${state.itemIds.size}`, received: `${exclude.nRows} x ${exclude.nCols}` },
    );
  }
}

/** Returns the top n items of each user index in `users` (row k for users[k]), block by block. */
export async function topNForUsers(state: FactorModelState, users: Uint32Array, options: UsersTopNOptions): Promise<TopNResult> {
  const { n, exclude } = options;
  for (let k = 0; k < users.length; k++) {
    if (users[k] >= state.userIds.size) {
      throw new InputError('unknown_id', `user index ${users[k]} is out of range for ${state.userIds.size} users`, { where: 'users', received: String(users[k]) });
    }
  }
  if (exclude !== undefined) checkExcludeShape(exclude, state, users);

  const ids = new Int32Array(users.length * n);
  const scores = new Float32Array(users.length * n);
  const scorer = await state.itemScorer();
  for (let start = 0; start < users.length; start += BATCH_USERS) {
    const block = users.subarray(start, Math.min(users.length, start + BATCH_USERS));
    const result = await scorer.topN({
      queries: gatherRows(state.userFactors, state.factors, block),
      n,
      exclude: exclude === undefined ? undefined : gatherCsrRows(exclude, block),
      filterItems: options.filterItems,
      candidates: options.candidates,
    });
    ids.set(result.ids, start * n);
    scores.set(result.scores, start * n);
  }
  return { n, ids, scores };
}
