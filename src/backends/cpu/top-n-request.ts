// Checks a TopNRequest against the scorer's shape and brings its index lists into the sorted form
// the selection kernel reads.

import { InputError } from '../../errors.js';
import type { TopNRequest } from '../backend.js';

/** A TopNRequest after validation: every list sorted ascending and in range. */
export interface NormalizedTopNRequest {
  queries: Float32Array;
  nQueries: number;
  n: number;
  excludeIndptr?: Uint32Array;
  excludeIndices?: Uint32Array;
  filterItems?: Uint32Array;
  candidates?: Uint32Array;
  /** Items each query can rank: candidates.length, or nItems. */
  nPositions: number;
}

function isStrictlyAscending(values: Uint32Array, start: number, end: number): boolean {
  for (let k = start + 1; k < end; k++) if (values[k] <= values[k - 1]) return false;
  return true;
}

function checkInRange(values: Uint32Array, nItems: number, name: string): void {
  for (let k = 0; k < values.length; k++) {
    if (values[k] >= nItems) {
      throw new InputError('invalid_item_index', `${name} contains item index ${values[k]}, but the scorer has ${nItems} items (indices 0 to ${nItems - 1})`, {
        where: name,
        received: String(values[k]),
      });
    }
  }
}

/** Returns `values` when already strictly ascending, else a sorted copy without duplicates. */
function sortedUnique(values: Uint32Array): Uint32Array {
  if (isStrictlyAscending(values, 0, values.length)) return values;
  const sorted = values.slice().sort();
  let kept = 0;
  for (let k = 0; k < sorted.length; k++) if (k === 0 || sorted[k] !== sorted[kept - 1]) sorted[kept++] = sorted[k];
  return sorted.subarray(0, kept);
}

/** Returns exclude.indices when every row is ascending, else a copy with each row sorted. */
function sortExcludeRows(indptr: Uint32Array, indices: Uint32Array, nQueries: number): Uint32Array {
  let isSorted = true;
  for (let q = 0; q < nQueries && isSorted; q++) isSorted = isStrictlyAscending(indices, indptr[q], indptr[q + 1]);
  if (isSorted) return indices;
  const sorted = indices.slice();
  for (let q = 0; q < nQueries; q++) sorted.subarray(indptr[q], indptr[q + 1]).sort();
  return sorted;
}

/** Validates `request` for a scorer of nItems x factors and returns it in kernel form. */
export function normalizeTopNRequest(request: TopNRequest, nItems: number, factors: number): NormalizedTopNRequest {
  const { queries, n } = request;
  if (!Number.isInteger(n) || n < 0) {
    throw new InputError('invalid_option', `n is ${n}; expected an integer >= 0`, { where: 'n', received: String(n) });
  }
  if (queries.length % factors !== 0) {
    throw new InputError('csr_shape_mismatch', `queries has ${queries.length} values, which is not a multiple of factors (${factors}); pass nQueries x ${factors} values row-major`);
  }
  const nQueries = queries.length / factors;
  const normalized: NormalizedTopNRequest = { queries, nQueries, n, nPositions: nItems };

  if (request.exclude !== undefined) {
    const { indptr, indices } = request.exclude;
    if (indptr.length !== nQueries + 1 || indptr[nQueries] > indices.length) {
      throw new InputError(
        'csr_shape_mismatch',
        `exclude.indptr has ${indptr.length} entries for ${nQueries} queries, expected nQueries + 1 = ${nQueries + 1} ending at most at indices.length (${indices.length})`,
      );
    }
    const used = indices.subarray(0, indptr[nQueries]);
    checkInRange(used, nItems, 'exclude.indices');
    normalized.excludeIndptr = indptr;
    normalized.excludeIndices = sortExcludeRows(indptr, used, nQueries);
  }
  if (request.filterItems !== undefined) {
    checkInRange(request.filterItems, nItems, 'filterItems');
    normalized.filterItems = sortedUnique(request.filterItems);
  }
  if (request.candidates !== undefined) {
    checkInRange(request.candidates, nItems, 'candidates');
    normalized.candidates = sortedUnique(request.candidates);
    normalized.nPositions = normalized.candidates.length;
  }
  return normalized;
}
