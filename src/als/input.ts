// Normalises what fit() accepts into id maps plus a users x items matrix, and turns stored values
// into confidence.

import { CsrMatrix } from '../csr/csr-matrix.js';
import { IdMap } from '../csr/id-map.js';
import { confidenceWeight } from '../csr/weighting.js';
import { InputError } from '../errors.js';

/** Interactions with external ids, as the io/ loaders return them (extra fields are ignored). */
export interface InteractionsLike {
  userIds: IdMap;
  itemIds: IdMap;
  /** users x items; the value at row u, column i is the interaction strength r_ui of userIds[u] with itemIds[i]. */
  userItems: CsrMatrix;
}

/** Input of fit(): interactions with id maps, or a bare users x items matrix (ids are "0", "1", ...). */
export type FitData = InteractionsLike | CsrMatrix;

function indexIds(count: number): IdMap {
  return new IdMap(Array.from({ length: count }, (_, index) => index));
}

/**
 * Returns id maps and matrix for `data`, checking that their sizes agree. Stored zeros are dropped,
 * because a zero means no interaction, as it does when the loaders read a value of 0.
 */
export function normalizeFitData(data: FitData): InteractionsLike {
  const interactions = data instanceof CsrMatrix ? { userIds: indexIds(data.nRows), itemIds: indexIds(data.nCols), userItems: data } : data;
  if (typeof interactions !== 'object' || interactions === null || !(interactions.userItems instanceof CsrMatrix)) {
    throw new InputError('invalid_input', 'fit() expects a CsrMatrix or an object { userIds, itemIds, userItems } with a CsrMatrix userItems', {
      where: 'fit data',
    });
  }
  const { userIds, itemIds, userItems } = interactions;
  if (userItems.nRows !== userIds.size || userItems.nCols !== itemIds.size) {
    throw new InputError(
      'csr_shape_mismatch',
      `userItems is ${userItems.nRows} x ${userItems.nCols} but ${userIds.size} user ids and ${itemIds.size} item ids were given; pass one CSR row per user id and one column per item id`,
      { where: 'userItems', expected: `${userIds.size} x ${itemIds.size}`, received: `${userItems.nRows} x ${userItems.nCols}` },
    );
  }
  if (userItems.nRows === 0 || userItems.nCols === 0) {
    throw new InputError('empty_input', `userItems is ${userItems.nRows} x ${userItems.nCols}; fit() needs at least one user and one item`, {
      where: 'userItems',
      received: `${userItems.nRows} x ${userItems.nCols}`,
    });
  }
  return { userIds, itemIds, userItems: userItems.eliminateZeros() };
}

/**
 * Returns the confidence matrix C with c_ui = 1 + alpha * r_ui for each stored r_ui (float32), the
 * weighting of Hu, Koren and Volinsky (2008). Throws InputError naming the user and item of the first
 * invalid cell: `invalid_input` for a negative r_ui, and `invalid_confidence` for a confidence that is
 * not finite and positive, which is where the solvers would produce NaN. A stored zero would get
 * confidence 1 with preference 1, so fit() drops stored zeros first (see normalizeFitData).
 */
export function toConfidence(interactions: InteractionsLike, alpha: number): CsrMatrix {
  const confidence = confidenceWeight(interactions.userItems, alpha);
  const values = interactions.userItems.data;
  const { data } = confidence;
  for (let k = 0; k < data.length; k++) {
    if (!(values[k] >= 0 && data[k] > 0 && data[k] < Infinity)) throw invalidCellError(interactions, k, data[k], alpha);
  }
  return confidence;
}

/**
 * Writes the confidence values of toConfidence (row-major, one per stored value) into `out`, or checks
 * them only when `out` is omitted. Throws the same InputError as toConfidence for the first invalid cell.
 */
export function writeConfidence(interactions: InteractionsLike, alpha: number, out?: Float32Array): void {
  const values = interactions.userItems.data;
  for (let k = 0; k < values.length; k++) {
    // Math.fround rounds as a store into a Float32Array does, so the check applies to the stored value.
    const confidence = Math.fround(1 + alpha * values[k]);
    if (!(values[k] >= 0 && confidence > 0 && confidence < Infinity)) throw invalidCellError(interactions, k, confidence, alpha);
    if (out !== undefined) out[k] = confidence;
  }
}

/** Builds the InputError for stored value `position`, whose confidence in float32 is `confidence`. */
function invalidCellError(interactions: InteractionsLike, position: number, confidence: number, alpha: number): InputError {
  const { indptr, indices, data } = interactions.userItems;
  let row = 0;
  while (indptr[row + 1] <= position) row++;
  const user = interactions.userIds.idAt(row);
  const item = interactions.itemIds.idAt(indices[position]);
  const value = data[position];
  if (value < 0) {
    return new InputError(
      'invalid_input',
      `value ${value} of user ${JSON.stringify(user)} for item ${JSON.stringify(item)} is negative, but ALS reads values as interaction strengths >= 0, where 0 means no interaction; drop or clip negative values first`,
      { where: `user ${user}, item ${item}`, expected: 'a value >= 0', received: String(value) },
    );
  }
  return new InputError(
    'invalid_confidence',
    `value ${value} of user ${JSON.stringify(user)} for item ${JSON.stringify(item)} gives confidence 1 + alpha * value = ${confidence} (alpha ${alpha}, float32), but confidence must be finite and > 0; pass non-negative values small enough to keep it finite`,
    { where: `user ${user}, item ${item}`, expected: 'finite confidence > 0', received: String(confidence) },
  );
}
