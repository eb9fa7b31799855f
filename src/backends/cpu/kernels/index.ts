// The CPU backend's kernel boundary: workers and the main thread call kernels only through this
// module, so a faster implementation (WebAssembly SIMD) can replace the plain TypeScript one here.
// NOTE: these scalar kernels score about 1 billion multiply-adds per second per thread. Ranking 292K
// items at 64 factors for one user took about 15 ms on 2 threads of a shared 2-core machine.

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
