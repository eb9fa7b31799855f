// Merges per-range top-N lists (one per worker that scored a slice of the items) into one list per query.

import { offerToHeap, sortHeapBestFirst } from './heap.js';

/**
 * `parts` holds nParts blocks of nQueries rows, n wide (part p's row q at (p * nQueries + q) * n),
 * each padded with -1. Writes each query's best n over all parts into row q of `out`, best first,
 * ties to the lower item index, padded with -1 and -Infinity. `heap` has room for n pairs, or for the
 * number of rankable items when that is smaller.
 */
export function mergeTopN(
  parts: { ids: Int32Array; scores: Float32Array },
  nParts: number,
  nQueries: number,
  n: number,
  out: { ids: Int32Array; scores: Float32Array },
  heap: { ids: Int32Array; scores: Float32Array },
): void {
  const capacity = Math.min(n, heap.ids.length);
  for (let q = 0; q < nQueries; q++) {
    let size = 0;
    for (let part = 0; part < nParts; part++) {
      const rowBase = (part * nQueries + q) * n;
      for (let k = 0; k < n; k++) {
        const id = parts.ids[rowBase + k];
        if (id < 0) break;
        size = offerToHeap(heap.ids, heap.scores, 0, size, capacity, id, parts.scores[rowBase + k]);
      }
    }
    sortHeapBestFirst(heap.ids, heap.scores, 0, size);
    const outBase = q * n;
    out.ids.set(heap.ids.subarray(0, size), outBase);
    out.scores.set(heap.scores.subarray(0, size), outBase);
    out.ids.fill(-1, outBase + size, outBase + n);
    out.scores.fill(-Infinity, outBase + size, outBase + n);
  }
}
