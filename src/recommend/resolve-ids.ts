// Turns external ids in call options into the index arrays the scorers read.

import type { ExternalId, IdMap } from '../csr/id-map.js';
import { InputError } from '../errors.js';
import type { UserItems } from '../options.js';

/** Returns the indices of `ids` in `idMap`; throws InputError (unknown_id) for an id not in it. */
export function indicesOf(ids: readonly ExternalId[], idMap: IdMap, kind: 'user' | 'item'): Uint32Array {
  const indices = new Uint32Array(ids.length);
  for (let k = 0; k < ids.length; k++) indices[k] = idMap.indexOf(ids[k], kind);
  return indices;
}

/** A user's items as sorted indices with their confidence. */
export interface ResolvedUserItems {
  items: Uint32Array;
  confidence: Float32Array;
}

/**
 * Resolves query-time user items (ids with value 1, or [id, value] pairs) to sorted unique item
 * indices, summing the values of repeated ids, and weights them as the fit does: c = 1 + alpha * value.
 * Throws InputError for unknown ids (unknown_id) and for a confidence that is not finite and > 0.
 */
export function resolveUserItems(userItems: UserItems, itemIds: IdMap, alpha: number): ResolvedUserItems {
  const values = new Map<number, number>();
  for (const entry of userItems) {
    const [id, value] = Array.isArray(entry) ? (entry as readonly [ExternalId, number]) : [entry as ExternalId, 1];
    const index = itemIds.indexOf(id, 'item');
    values.set(index, (values.get(index) ?? 0) + value);
  }

  const items = Uint32Array.from(values.keys()).sort();
  const confidence = new Float32Array(items.length);
  for (let k = 0; k < items.length; k++) {
    confidence[k] = 1 + alpha * (values.get(items[k]) as number);
    if (!(confidence[k] > 0 && confidence[k] < Infinity)) {
      const itemId = itemIds.idAt(items[k]);
      throw new InputError(
        'invalid_confidence',
        `userItems value ${values.get(items[k])} for item ${JSON.stringify(itemId)} gives confidence 1 + alpha * value = ${confidence[k]} (alpha ${alpha}); confidence must be finite and > 0, so pass non-negative values`,
        { where: `userItems item ${itemId}`, received: String(confidence[k]) },
      );
    }
  }
  return { items, confidence };
}

/** Returns training row `user` of `userItems` as item indices (a view) and confidence 1 + alpha * value. */
export function trainingRow(userItems: { row(row: number): { indices: Uint32Array; data: Float32Array } }, user: number, alpha: number): ResolvedUserItems {
  const { indices, data } = userItems.row(user);
  const confidence = new Float32Array(data.length);
  for (let k = 0; k < data.length; k++) confidence[k] = 1 + alpha * data[k];
  return { items: indices, confidence };
}
