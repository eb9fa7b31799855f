// Recommendations by external id: one user (with optional fold-in) or a batch of users.

import { foldInUser } from '../als/fold-in.js';
import type { ExternalId, IdMap } from '../csr/id-map.js';
import {
  parseCallOptions,
  recommendBatchOptionsSchema,
  recommendOptionsSchema,
  type RecommendBatchOptions,
  type RecommendOptions,
} from '../options.js';
import { topNForUsers } from './batch.js';
import type { FactorModelState } from './model-state.js';
import { indicesOf, resolveUserItems, trainingRow, type ResolvedUserItems } from './resolve-ids.js';
import { scoredRow, type ScoredItem } from './scored.js';

/**
 * Returns the top n items for `userId`, best first (see RecommendOptions). Scores are dot products
 * x_u . y_i of float32 factors; ties go to the lower item index. Fewer than n results come back when
 * fewer items are eligible. Throws InputError (unknown_id) for ids not in the model.
 */
export async function recommendForUser(state: FactorModelState, userId: ExternalId, options?: RecommendOptions): Promise<ScoredItem[]> {
  const parsed = parseCallOptions(recommendOptionsSchema, options, 'recommend');
  const { factors, itemIds } = state;
  const queryItems = parsed.userItems === undefined ? undefined : resolveUserItems(parsed.userItems, itemIds, state.alpha);

  let query: Float32Array;
  let liked: Uint32Array;
  if (parsed.recalculateUser) {
    const row: ResolvedUserItems = queryItems ?? trainingRow(state.userItems, state.userIds.indexOf(userId, 'user'), state.alpha);
    query = foldInUser({
      itemFactors: state.itemFactors,
      factors,
      itemGram: state.itemGram(),
      regularization: state.regularization,
      items: row.items,
      confidence: row.confidence,
    });
    liked = row.items;
  } else {
    const user = state.userIds.indexOf(userId, 'user');
    // A view of the fitted row: the fast path copies nothing here.
    query = state.userFactors.subarray(user * factors, (user + 1) * factors);
    liked = queryItems?.items ?? state.userItems.row(user).indices;
  }

  const scorer = await state.itemScorer();
  const result = await scorer.topN({
    queries: query,
    n: Math.min(parsed.n, itemIds.size),
    exclude: parsed.filterAlreadyLiked && liked.length > 0 ? { indptr: new Uint32Array([0, liked.length]), indices: liked } : undefined,
    filterItems: parsed.filterItems === undefined ? undefined : indicesOf(parsed.filterItems, itemIds, 'item'),
    candidates: parsed.items === undefined ? undefined : indicesOf(parsed.items, itemIds, 'item'),
  });
  return scoredRow(result, 0, itemIds).map(({ id, score }) => ({ itemId: id, score }));
}

/**
 * Recommendations for many users in one compact block. Row r belongs to userIds[r] and has n columns,
 * best first, padded with item index -1 and score -Infinity when fewer items are eligible.
 */
export interface BatchRecommendations {
  /** The users, in row order. */
  userIds: string[];
  /** Columns per row. */
  n: number;
  /** nUsers x n item indices (row-major) into `itemIds`, -1 for padding. */
  items: Int32Array;
  /** nUsers x n scores, -Infinity for padding. */
  scores: Float32Array;
  /** Maps the indices in `items` to item ids: itemIds.idAt(items[r * n + k]). */
  itemIds: IdMap;
}

/** Returns row `row` of a batch as [{ itemId, score }], without padding. */
export function batchRow(batch: BatchRecommendations, row: number): ScoredItem[] {
  return scoredRow({ n: batch.n, ids: batch.items, scores: batch.scores }, row, batch.itemIds).map(({ id, score }) => ({ itemId: id, score }));
}

/** Returns the top n items for each of `userIds` (every user when omitted); see RecommendBatchOptions. */
export async function recommendForUsers(
  state: FactorModelState,
  userIds: readonly ExternalId[] | undefined,
  options?: RecommendBatchOptions,
): Promise<BatchRecommendations> {
  const parsed = parseCallOptions(recommendBatchOptionsSchema, options, 'recommendBatch');
  const users = userIds === undefined ? Uint32Array.from({ length: state.userIds.size }, (_, index) => index) : indicesOf(userIds, state.userIds, 'user');
  const n = Math.min(parsed.n, state.itemIds.size);

  const result = await topNForUsers(state, users, {
    n,
    exclude: parsed.filterAlreadyLiked ? state.userItems : undefined,
    filterItems: parsed.filterItems === undefined ? undefined : indicesOf(parsed.filterItems, state.itemIds, 'item'),
    candidates: parsed.items === undefined ? undefined : indicesOf(parsed.items, state.itemIds, 'item'),
  });
  return {
    userIds: Array.from(users, (user) => state.userIds.idAt(user)),
    n,
    items: result.ids,
    scores: result.scores,
    itemIds: state.itemIds,
  };
}
