// Similar items and similar users by cosine similarity of their factors.

import type { TopNResult } from '../backends/backend.js';
import type { ExternalId, IdMap } from '../csr/id-map.js';
import { InputError } from '../errors.js';
import {
  parseCallOptions,
  similarItemsOptionsSchema,
  similarUsersOptionsSchema,
  type SimilarItemsOptions,
  type SimilarUsersOptions,
} from '../options.js';
import { gatherRows } from './batch.js';
import type { CosineScorer } from './model-state.js';
import type { FactorModelState } from './model-state.js';
import { indicesOf } from './resolve-ids.js';
import { scoredRow, type ScoredItem, type ScoredUser } from './scored.js';

/** Returns a copy of a row-major matrix with every non-zero row scaled to unit length. */
export function unitRows(matrix: Float32Array, width: number): Float32Array {
  const out = new Float32Array(matrix.length);
  for (let offset = 0; offset < matrix.length; offset += width) {
    let norm = 0;
    for (let f = 0; f < width; f++) norm += matrix[offset + f] * matrix[offset + f];
    if (norm === 0) continue;
    const scale = 1 / Math.sqrt(norm);
    for (let f = 0; f < width; f++) out[offset + f] = matrix[offset + f] * scale;
  }
  return out;
}

async function mostSimilar(
  cosine: CosineScorer,
  factors: number,
  index: number,
  idMap: IdMap,
  kind: 'user' | 'item',
  options: { n: number; exclude?: readonly ExternalId[]; only?: readonly ExternalId[] },
): Promise<Array<{ id: string; score: number }>> {
  const result = await cosine.scorer.topN({
    queries: cosine.unitFactors.subarray(index * factors, (index + 1) * factors),
    n: Math.min(options.n, idMap.size),
    filterItems: options.exclude === undefined ? undefined : indicesOf(options.exclude, idMap, kind),
    candidates: options.only === undefined ? undefined : indicesOf(options.only, idMap, kind),
  });
  return scoredRow(result, 0, idMap);
}

/**
 * Returns the n items whose factors have the highest cosine similarity to `itemId`'s, best first.
 * As in `implicit`, the item itself is not left out, so it normally comes first with score ~1
 * (an item with zero factors scores 0 against everything). `filterItems` leaves ids out; `items`
 * restricts the ranking to those ids.
 */
export async function similarItems(state: FactorModelState, itemId: ExternalId, options?: SimilarItemsOptions): Promise<ScoredItem[]> {
  const parsed = parseCallOptions(similarItemsOptionsSchema, options, 'similarItems');
  const item = state.itemIds.indexOf(itemId, 'item');
  const rows = await mostSimilar(await state.cosineItemScorer(), state.factors, item, state.itemIds, 'item', {
    n: parsed.n,
    exclude: parsed.filterItems,
    only: parsed.items,
  });
  return rows.map(({ id, score }) => ({ itemId: id, score }));
}

/**
 * Returns the top n items by cosine similarity for each item index in `items` (row k for items[k]),
 * in one scorer call. Each row equals what similarItems returns for that item alone: the same unit
 * factor rows are scored by the same kernel, and ties go to the lower item index either way.
 */
export async function similarItemsTopN(state: FactorModelState, items: Uint32Array, n: number): Promise<TopNResult> {
  const nItems = state.itemIds.size;
  for (let k = 0; k < items.length; k++) {
    if (items[k] >= nItems) {
      throw new InputError('unknown_id', `item index ${items[k]} is out of range for ${nItems} items`, { where: 'items', received: String(items[k]) });
    }
  }
  const cosine = await state.cosineItemScorer();
  return cosine.scorer.topN({ queries: gatherRows(cosine.unitFactors, state.factors, items), n: Math.min(n, nItems) });
}

/** Returns the n users most similar to `userId` by cosine similarity of user factors; the user itself included, as in `implicit`. */
export async function similarUsers(state: FactorModelState, userId: ExternalId, options?: SimilarUsersOptions): Promise<ScoredUser[]> {
  const parsed = parseCallOptions(similarUsersOptionsSchema, options, 'similarUsers');
  const user = state.userIds.indexOf(userId, 'user');
  const rows = await mostSimilar(await state.cosineUserScorer(), state.factors, user, state.userIds, 'user', {
    n: parsed.n,
    exclude: parsed.filterUsers,
    only: parsed.users,
  });
  return rows.map(({ id, score }) => ({ userId: id, score }));
}
