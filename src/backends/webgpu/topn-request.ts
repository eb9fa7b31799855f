// Validation and normalisation of a TopNRequest: shapes and index ranges are checked, and exclude
// rows are sorted (on a copy) because the kernel finds exclusions by binary search.

import { InputError } from '../../errors.js';
import type { TopNRequest } from '../backend.js';

/** A validated request: exclude rows sorted ascending, empty arrays for absent lists. */
export interface NormalizedTopN {
  queries: Float32Array;
  nQueries: number;
  n: number;
  hasExclusions: boolean;
  excludeIndptr: Uint32Array;
  excludeIndices: Uint32Array;
  filterItems: Uint32Array;
  /** undefined means every item is a candidate. */
  candidates: Uint32Array | undefined;
}

function invalid(where: string, message: string, expected: string, received: string): InputError {
  return new InputError('invalid_option', message, { where, expected, received });
}

function checkSortedItems(where: string, items: Uint32Array, nItems: number): void {
  for (let k = 0; k < items.length; k++) {
    if (items[k] >= nItems) {
      throw invalid(where, `${where}[${k}] is item ${items[k]} but there are ${nItems} items`, `< ${nItems}`, String(items[k]));
    }
    if (k > 0 && items[k] <= items[k - 1]) {
      throw invalid(where, `${where} must be sorted ascending without repeats, but ${where}[${k - 1}] = ${items[k - 1]} and ${where}[${k}] = ${items[k]}; sort it with Uint32Array.prototype.sort`, 'strictly ascending', `${items[k - 1]} then ${items[k]}`);
    }
  }
}

/** Checks `request` against the scorer's shape and returns the normalised form. */
export function normalizeTopNRequest(request: TopNRequest, nItems: number, factors: number): NormalizedTopN {
  const { queries, n } = request;
  if (queries.length % factors !== 0) {
    throw invalid('queries', `queries has ${queries.length} values, not a multiple of ${factors} factors`, `a multiple of ${factors}`, String(queries.length));
  }
  if (!Number.isInteger(n) || n < 0) throw invalid('n', `n is ${n}, expected an integer >= 0`, 'an integer >= 0', String(n));
  const nQueries = queries.length / factors;

  const filterItems = request.filterItems ?? new Uint32Array(0);
  checkSortedItems('filterItems', filterItems, nItems);
  const candidates = request.candidates;
  if (candidates !== undefined) checkSortedItems('candidates', candidates, nItems);

  if (request.exclude === undefined) {
    return { queries, nQueries, n, hasExclusions: false, excludeIndptr: new Uint32Array(1), excludeIndices: new Uint32Array(0), filterItems, candidates };
  }
  const { indptr, indices } = request.exclude;
  if (indptr.length !== nQueries + 1 || indptr[0] !== 0 || indptr[nQueries] !== indices.length) {
    throw invalid(
      'exclude.indptr',
      `exclude.indptr has ${indptr.length} entries from ${indptr[0]} to ${indptr[indptr.length - 1]} but ${nQueries} queries and ${indices.length} indices need ${nQueries + 1} entries from 0 to ${indices.length}`,
      `${nQueries + 1} entries, 0 to ${indices.length}`,
      `${indptr.length} entries`,
    );
  }
  return { queries, nQueries, n, hasExclusions: true, excludeIndptr: indptr, excludeIndices: sortExcludeRows(indptr, indices, nItems), filterItems, candidates };
}

// Returns the indices with every row sorted ascending, copying only when some row is not.
function sortExcludeRows(indptr: Uint32Array, indices: Uint32Array, nItems: number): Uint32Array {
  let sorted = indices;
  for (let q = 0; q + 1 < indptr.length; q++) {
    const start = indptr[q];
    const end = indptr[q + 1];
    if (end < start) throw invalid('exclude.indptr', `exclude.indptr decreases at query ${q} (${start} then ${end})`, 'non-decreasing', `${start} then ${end}`);
    let isRowSorted = true;
    for (let k = start; k < end; k++) {
      if (indices[k] >= nItems) {
        throw invalid('exclude.indices', `exclude.indices[${k}] (query ${q}) is item ${indices[k]} but there are ${nItems} items`, `< ${nItems}`, String(indices[k]));
      }
      if (k > start && indices[k] < indices[k - 1]) isRowSorted = false;
    }
    if (!isRowSorted) {
      if (sorted === indices) sorted = indices.slice();
      sorted.subarray(start, end).sort();
    }
  }
  return sorted;
}
