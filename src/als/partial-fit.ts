// Partial fits: solve the factor rows of some users (or items) against the fixed other side, adding
// rows for new ids, as one exact ALS half-step restricted to those rows.

import { z } from 'zod';
import { computeGram } from '../backends/cpu/kernels/index.js';
import type { CsrMatrix } from '../csr/csr-matrix.js';
import { IdMap, type ExternalId } from '../csr/id-map.js';
import { InputError, NumericError } from '../errors.js';
import { userItemsSchema } from '../options.js';
import type { FactorModelState } from '../recommend/model-state.js';
import { parseOrThrow } from '../validate.js';
import { foldInUser } from './fold-in.js';
import { replaceCsrRows, type CsrRow } from './replace-rows.js';

const partialFitSchema = z
  .strictObject({
    ids: z.array(z.union([z.string(), z.number()], { error: 'expected a string or number id' }), { error: 'expected an array of ids' }),
    rows: z.array(userItemsSchema, { error: 'expected an array with one list of ids or [id, value] pairs per id' }),
  })
  .superRefine((input, context) => {
    if (input.ids.length === input.rows.length) return;
    context.addIssue({ code: 'custom', path: ['rows'], message: `expected one row per id, but there are ${input.ids.length} ids and ${input.rows.length} rows` });
  });

/** The parts of a model that a partial fit replaces. */
export interface PartialFitResult {
  /** The grown or updated factors of the solved side. */
  factors: Float32Array;
  ids: IdMap;
  /** The training matrix with the solved rows (users) or columns (items) replaced. */
  userItems: CsrMatrix;
}

type Side = 'user' | 'item';

/** Resolves one row of [id, value] entries on the other side to sorted indices, raw values and confidence. */
function resolveRow(entries: z.output<typeof userItemsSchema>, otherIds: IdMap, otherKind: Side, alpha: number, owner: string): CsrRow & { confidence: Float32Array } {
  const values = new Map<number, number>();
  for (const entry of entries) {
    const [id, value] = Array.isArray(entry) ? (entry as [ExternalId, number]) : [entry as ExternalId, 1];
    const index = otherIds.indexOf(id, otherKind);
    values.set(index, (values.get(index) ?? 0) + value);
  }
  const indices = Uint32Array.from(values.keys()).sort();
  const raw = Float32Array.from(indices, (index) => values.get(index) as number);
  const confidence = Float32Array.from(raw, (value) => 1 + alpha * value);
  confidence.forEach((value, k) => {
    if (value > 0 && value < Infinity) return;
    throw new InputError(
      'invalid_confidence',
      `${owner}: value ${raw[k]} for ${otherKind} ${JSON.stringify(otherIds.idAt(indices[k]))} gives confidence 1 + alpha * value = ${value} (alpha ${alpha}); confidence must be finite and > 0, so pass non-negative values`,
      { where: owner, received: String(value) },
    );
  });
  return { indices, values: raw, confidence };
}

/**
 * Solves x = (O^T O + O^T (C - I) O + lambda I)^-1 O^T C p for each row, where O is the other side's
 * factors, exactly as a fit's half-step does, and returns the grown factor matrix and id map. New ids
 * are appended in the order given. Rows refer to ids on the other side, which must exist.
 * Throws InputError for bad input or unknown ids, NumericError naming the id when a solve fails.
 */
export function partialFit(state: FactorModelState, side: Side, idsInput: unknown, rowsInput: unknown): PartialFitResult {
  const call = side === 'user' ? 'partialFitUsers' : 'partialFitItems';
  const { ids: newIds, rows } = parseOrThrow(partialFitSchema, { ids: idsInput, rows: rowsInput }, `${call} arguments`, (path) => (path === '' ? `${call} arguments` : path.replace(/^ids/, side === 'user' ? 'userIds' : 'itemIds')));
  const seen = new Set(newIds.map(String));
  if (seen.size !== newIds.length) throw new InputError('invalid_option', `${call}: the ids contain duplicates; pass each id once`, { where: call });

  const { factors, regularization, alpha } = state;
  const ownIds = side === 'user' ? state.userIds : state.itemIds;
  const otherIds = side === 'user' ? state.itemIds : state.userIds;
  const ownFactors = side === 'user' ? state.userFactors : state.itemFactors;
  const otherFactors = side === 'user' ? state.itemFactors : state.userFactors;
  const otherKind: Side = side === 'user' ? 'item' : 'user';

  // The other side's Gram matrix: the cached Y^T Y for users; X^T X (nUsers x factors^2 / 2 multiply-adds) for items.
  let otherGram: Float64Array;
  if (side === 'user') {
    otherGram = state.itemGram();
  } else {
    otherGram = new Float64Array(factors * factors);
    computeGram(otherFactors, factors, otherIds.size, otherGram);
  }

  const resolved = rows.map((row, k) => resolveRow(row, otherIds, otherKind, alpha, `${call} row ${k} (${side} ${JSON.stringify(String(newIds[k]))})`));
  const solved = resolved.map((row, k) => {
    try {
      return foldInUser({ itemFactors: otherFactors, factors, itemGram: otherGram, regularization, items: row.indices, confidence: row.confidence });
    } catch (error) {
      if (!(error instanceof NumericError)) throw error;
      throw new NumericError(error.code, `${call}: ${side} ${JSON.stringify(String(newIds[k]))}: ${error.message}`, { ...error.details, id: String(newIds[k]) }, { cause: error });
    }
  });

  // New arrays throughout: scorers and in-flight requests keep reading the old ones until the swap.
  const ids = new IdMap(ownIds.toArray());
  const positions = newIds.map((id) => ids.add(id));
  const grown = new Float32Array(ids.size * factors);
  grown.set(ownFactors);
  positions.forEach((position, k) => grown.set(solved[k], position * factors));

  const userItems =
    side === 'user'
      ? replaceCsrRows(state.userItems, positions, resolved, ids.size, otherIds.size)
      : replaceCsrRows(state.userItems.transpose(), positions, resolved, ids.size, otherIds.size).transpose();
  return { factors: grown, ids, userItems };
}
