// Runs the pruned top-N kernel (wasm/kernels/top-n.ts) over a range of queries. Every array must live
// in the arena the kernels were instantiated over, because the kernel reads them by byte offset.

import type { PrunedItemIndex } from './pruned-index.js';
import type { WasmKernelExports } from './wasm-module.js';

/** One range of a top-N request for the pruned kernel; see selectTopN's inputs for the shared fields. */
export interface PrunedTopNTask {
  queries: Float32Array;
  n: number;
  excludeIndptr?: Uint32Array;
  excludeIndices?: Uint32Array;
  filterItems?: Uint32Array;
  queryStart: number;
  queryEnd: number;
  /** Query q's row is outRow + (q - queryStart), n wide. */
  outIds: Int32Array;
  outScores: Float32Array;
  outRow: number;
  /** Heap space of min(n, nItems) pairs. */
  heapIds: Int32Array;
  heapScores: Float32Array;
}

/** Writes the exact top n of each query in the task's range. Returns the panels visited, for benchmarks. */
export function runPrunedTopN(kernels: WasmKernelExports, itemFactors: Float32Array, factors: number, index: PrunedItemIndex, task: PrunedTopNTask): number {
  const { queries, n, excludeIndptr, excludeIndices, filterItems, outIds, outScores } = task;
  const capacity = Math.min(n, itemFactors.length / factors);
  const filterPointer = filterItems === undefined ? 0 : filterItems.byteOffset;
  const filterLength = filterItems === undefined ? 0 : filterItems.length;
  let visited = 0;
  for (let query = task.queryStart; query < task.queryEnd; query++) {
    let excludePointer = 0;
    let excludeLength = 0;
    if (excludeIndptr !== undefined && excludeIndices !== undefined) {
      excludePointer = excludeIndices.byteOffset + excludeIndptr[query] * 4;
      excludeLength = excludeIndptr[query + 1] - excludeIndptr[query];
    }
    const outOffset = (task.outRow + query - task.queryStart) * n * 4;
    visited += kernels.topNQuery(
      itemFactors.byteOffset,
      factors,
      index.order.byteOffset,
      index.panels.byteOffset,
      index.nPanels,
      index.basis.byteOffset,
      queries.byteOffset + query * factors * 4,
      n,
      capacity,
      excludePointer,
      excludeLength,
      filterPointer,
      filterLength,
      task.heapIds.byteOffset,
      task.heapScores.byteOffset,
      outIds.byteOffset + outOffset,
      outScores.byteOffset + outOffset,
    );
  }
  return visited;
}
