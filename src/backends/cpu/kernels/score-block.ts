// Blocked scoring: a block of queries times a block of item factor rows, as a small matrix product.

/**
 * Writes out[q * stride + j] = queries row (queryStart + q) . item row itemAt(j), for q < queryCount and
 * j < itemCount, where item rows are `itemStart + j` (itemList undefined) or itemList[itemStart + j].
 * Each item row is loaded once and reused for every query of the block while it is in cache.
 * Scores are stored as float32, so equal float32 scores tie exactly.
 */
export function scoreBlock(
  queries: Float32Array,
  queryStart: number,
  queryCount: number,
  itemFactors: Float32Array,
  factors: number,
  itemList: Uint32Array | undefined,
  itemStart: number,
  itemCount: number,
  out: Float32Array,
  stride: number,
): void {
  const pairedCount = queryCount & ~1;
  for (let j = 0; j < itemCount; j++) {
    const item = itemList === undefined ? itemStart + j : itemList[itemStart + j];
    const itemOffset = item * factors;
    // Two queries per pass load each item value once for two multiply-adds. Every score still sums
    // its factors in index order, so it does not depend on how queries are paired.
    let q = 0;
    for (; q < pairedCount; q += 2) {
      const offsetA = (queryStart + q) * factors;
      const offsetB = offsetA + factors;
      let sumA = 0;
      let sumB = 0;
      for (let f = 0; f < factors; f++) {
        const value = itemFactors[itemOffset + f];
        sumA += queries[offsetA + f] * value;
        sumB += queries[offsetB + f] * value;
      }
      out[q * stride + j] = sumA;
      out[(q + 1) * stride + j] = sumB;
    }
    for (; q < queryCount; q++) {
      const queryOffset = (queryStart + q) * factors;
      let sum = 0;
      for (let f = 0; f < factors; f++) sum += queries[queryOffset + f] * itemFactors[itemOffset + f];
      out[q * stride + j] = sum;
    }
  }
}
