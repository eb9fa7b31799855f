// Splits rows between worker threads: solves by stored-value count, reductions in fixed chunks.

/**
 * Splits rows [0, nRows) into `parts` contiguous ranges of about equal cost, where a row costs its
 * stored-value count plus `rowWeight` (the per-row work that does not depend on its length, in units
 * of one stored value). Returns parts + 1 non-decreasing boundaries, first 0 and last nRows.
 */
export function partitionRowsByNnz(indptr: Uint32Array, nRows: number, parts: number, rowWeight: number): Uint32Array {
  const bounds = new Uint32Array(parts + 1);
  const cost = (row: number): number => indptr[row] + row * rowWeight;
  const total = cost(nRows);
  for (let part = 1; part < parts; part++) {
    const target = (total * part) / parts;
    // Smallest row boundary whose prefix cost reaches the target, then the nearer of it and the one before.
    const previous = bounds[part - 1];
    let lo = previous;
    let hi = nRows;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cost(mid) < target) lo = mid + 1;
      else hi = mid;
    }
    if (lo > previous && target - cost(lo - 1) < cost(lo) - target) lo--;
    bounds[part] = lo;
  }
  bounds[parts] = nRows;
  return bounds;
}

/** Splits [0, count) into `parts` contiguous ranges whose sizes differ by at most one. */
export function splitEvenly(count: number, parts: number): Uint32Array {
  const bounds = new Uint32Array(parts + 1);
  for (let part = 0; part <= parts; part++) bounds[part] = Math.floor((count * part) / parts);
  return bounds;
}

/**
 * Rows per reduction chunk. Partial sums are taken per fixed chunk and added in chunk order, so a
 * reduction gives the same float64 result for any thread count.
 */
export const REDUCTION_CHUNK_ROWS = 1024;

/** Returns the number of reduction chunks covering nRows rows. */
export function countChunks(nRows: number): number {
  return Math.ceil(nRows / REDUCTION_CHUNK_ROWS);
}
