// The CPU backend's kernel boundary: workers and the main thread call kernels only through this
// module. It exports the plain TypeScript kernels, which are the reference and the fallback, and the
// loader and drivers of the WebAssembly SIMD kernels (wasm/kernels/), which the backend runs when
// they load. docs/cpu-performance.md compares the two.

export { computeGram, computeGramBand, mirrorGramBand, splitGramBands, sumSquares } from './gram.js';
export { createCgScratch, solveRowsCg, type CgScratch } from './cg.js';
export {
  buildNormalEquations,
  choleskyFactor,
  choleskySolve,
  createCholeskyScratch,
  solveRowsCholesky,
  type CholeskyScratch,
} from './cholesky.js';
export { accumulateLoss, type LossPartial } from './loss.js';
export { ranksBelow, offerToHeap, sortHeapBestFirst } from './heap.js';
export { scoreBlock } from './score-block.js';
export {
  createTopNScratch,
  heapCapacity,
  lowerBound,
  selectTopN,
  ITEM_BLOCK,
  QUERY_BLOCK,
  type TopNInputs,
  type TopNOutput,
  type TopNRange,
  type TopNScratch,
} from './select-top-n.js';
export { mergeTopN } from './merge-top-n.js';
export type { RowFailure, RowFailureReason, RowSystem } from './row-system.js';
export { buildPrunedIndex, isPrunable, MAX_SCORE_BOUND, type PrunedItemIndex } from './pruned-index.js';
export { runPrunedTopN, type PrunedTopNTask } from './pruned-top-n.js';
export { compiledKernelModule, instantiateKernels, loadKernelModule, type WasmKernelExports } from './wasm-module.js';
