// Top-N on the host, for requests whose n exceeds what the GPU kernel keeps in workgroup memory
// (kernel-config.ts maxTopN). Same ordering and padding rules as score-topn.wgsl.

import type { TopNResult } from '../backend.js';
import type { NormalizedTopN } from './topn-request.js';

/** Scores every eligible item of every query in float64 and keeps the top n, ties to the lower index. */
export function hostTopN(request: NormalizedTopN, itemFactors: Float32Array, nItems: number, factors: number): TopNResult {
  const { nQueries, n, queries, filterItems, candidates } = request;
  const ids = new Int32Array(nQueries * n).fill(-1);
  const scores = new Float32Array(nQueries * n).fill(-Infinity);
  const filtered = new Set(filterItems);
  const pool = candidates ?? Uint32Array.from({ length: nItems }, (_, item) => item);

  for (let q = 0; q < nQueries; q++) {
    const excluded = new Set(request.hasExclusions ? request.excludeIndices.subarray(request.excludeIndptr[q], request.excludeIndptr[q + 1]) : []);
    const scored: { item: number; score: number }[] = [];
    for (const item of pool) {
      if (filtered.has(item) || excluded.has(item)) continue;
      let score = 0;
      for (let f = 0; f < factors; f++) score += queries[q * factors + f] * itemFactors[item * factors + f];
      if (!Number.isNaN(score)) scored.push({ item, score: Math.fround(score) });
    }
    scored.sort((a, b) => b.score - a.score || a.item - b.item);
    for (let j = 0; j < Math.min(n, scored.length); j++) {
      ids[q * n + j] = scored[j].item;
      scores[q * n + j] = scored[j].score;
    }
  }
  return { n, ids, scores };
}
