// Explanations of a score as a sum over the user's items, after Hu, Koren and Volinsky (2008),
// "Collaborative Filtering for Implicit Feedback Datasets", section 5.

import { z } from 'zod';
import { buildNormalEquations, choleskyFactor, choleskySolve } from '../backends/cpu/kernels/index.js';
import type { ExternalId } from '../csr/id-map.js';
import { NumericError } from '../errors.js';
import { MAX_RESULTS, parseCallOptions, userItemsSchema } from '../options.js';
import type { FactorModelState } from '../recommend/model-state.js';
import { resolveUserItems, trainingRow, type ResolvedUserItems } from '../recommend/resolve-ids.js';

export const explainOptionsSchema = z.strictObject({
  n: z.int({ error: `expected an integer from 0 to ${MAX_RESULTS}` }).min(0).max(MAX_RESULTS).default(10),
  userItems: userItemsSchema.optional(),
});

/**
 * Options of model.explain:
 * - n: contributions to return, largest first, default 10.
 * - userItems: the user's items (ids or [id, value] pairs); default the user's training row.
 */
export type ExplainOptions = z.input<typeof explainOptionsSchema>;

/** One liked item's share of a score. */
export interface Contribution {
  itemId: string;
  /** s_ij * c_uj: the liked item's similarity to the explained item, weighted by the user's confidence in it. */
  contribution: number;
}

export interface Explanation {
  /** x_u . y_i with x_u from one exact ALS user step; the sum of every contribution. */
  score: number;
  /** The n largest contributions, largest first. */
  contributions: Contribution[];
}

/**
 * Splits the score of `itemId` for a user into one term per item j the user has:
 *   score = sum_j s_ij c_uj,  s_ij = y_i^T W_u y_j,  W_u = (Y^T Y + Y^T (C_u - I) Y + lambda I)^-1.
 * This is exact because x_u = W_u Y^T C_u p_u, so y_i . x_u = sum_j (y_i^T W_u y_j) c_uj. The score
 * therefore equals recommend() with recalculateUser, which solves the same system. The fitted x_u of a
 * CG fit, or one solved against earlier item factors, differs slightly.
 * Costs one factors x factors Cholesky factorisation plus nItems_u * factors work, in float64.
 */
export function explainScore(state: FactorModelState, userId: ExternalId, itemId: ExternalId, options?: ExplainOptions): Explanation {
  const parsed = parseCallOptions(explainOptionsSchema, options, 'explain');
  const { factors, itemFactors, alpha } = state;
  const item = state.itemIds.indexOf(itemId, 'item');
  const row: ResolvedUserItems =
    parsed.userItems === undefined ? trainingRow(state.userItems, state.userIds.indexOf(userId, 'user'), alpha) : resolveUserItems(parsed.userItems, state.itemIds, alpha);
  if (row.items.length === 0) return { score: 0, contributions: [] };

  // A = W_u^-1, factored once; then w = W_u y_i, and s_ij = w . y_j because W_u is symmetric.
  const matrix = new Float64Array(factors * factors);
  const rightHandSide = new Float64Array(factors);
  const system = { indptr: Uint32Array.of(0, row.items.length), indices: row.items, data: row.confidence, otherFactors: itemFactors, gram: state.itemGram(), factors };
  buildNormalEquations(system, state.regularization, 0, matrix, rightHandSide);
  if (!choleskyFactor(matrix, factors)) {
    throw new NumericError('not_positive_definite', `explain: the user's normal equations are not positive definite with regularization ${state.regularization}; raise regularization above 0`, {
      where: 'explain',
    });
  }
  const weighted = Float64Array.from(itemFactors.subarray(item * factors, (item + 1) * factors));
  choleskySolve(matrix, factors, weighted);

  let score = 0;
  const terms: Array<{ item: number; contribution: number }> = [];
  for (let k = 0; k < row.items.length; k++) {
    const offset = row.items[k] * factors;
    let similarity = 0;
    for (let f = 0; f < factors; f++) similarity += weighted[f] * itemFactors[offset + f];
    const contribution = similarity * row.confidence[k];
    score += contribution;
    terms.push({ item: row.items[k], contribution });
  }
  terms.sort((a, b) => b.contribution - a.contribution || a.item - b.item);
  return {
    score,
    contributions: terms.slice(0, parsed.n).map(({ item: index, contribution }) => ({ itemId: state.itemIds.idAt(index), contribution })),
  };
}
