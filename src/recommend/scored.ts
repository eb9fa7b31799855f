// Result rows with external ids, and the conversion from a scorer's index-level rows.

import type { TopNResult } from '../backends/backend.js';
import type { IdMap } from '../csr/id-map.js';

export interface ScoredItem {
  itemId: string;
  score: number;
}

export interface ScoredUser {
  userId: string;
  score: number;
}

/** Returns row `row` of `result` as [{ id, score }], best first, without the -1 padding. */
export function scoredRow(result: TopNResult, row: number, ids: IdMap): Array<{ id: string; score: number }> {
  const out: Array<{ id: string; score: number }> = [];
  const base = row * result.n;
  for (let k = 0; k < result.n; k++) {
    const index = result.ids[base + k];
    if (index < 0) break;
    out.push({ id: ids.idAt(index), score: result.scores[base + k] });
  }
  return out;
}
