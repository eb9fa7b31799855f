// The item side of the pruned top-N kernel (wasm/kernels/top-n.ts). Items are kept in descending
// norm order, each with its norm, its projections on a leading basis and the norm of the rest. These
// are packed in panels of four items, which the kernel reads with one SIMD load per value.

import type { SharedAllocator } from '../shared-memory.js';
import { leadingBasis } from './head-basis.js';
import type { WasmKernelExports } from './wasm-module.js';

/** Items per panel (one per float32 lane) in the kernel. */
const PANEL_ITEMS = 4;
/** Marks the padding positions at the end of the last panel. */
const NO_ITEM = 0xffffffff;
/** Rows of the largest norm that the basis is fitted to: the items the scan visits first. */
const BASIS_SAMPLE_ROWS = 16_384;
/**
 * Largest |x| max|y| that the pruned path accepts. Products and sums of the bounds stay far below
 * float32's 3.4e38, so no bound overflows to Infinity or NaN.
 */
export const MAX_SCORE_BOUND = 1e30;

/** Arrays in the arena that topNQuery reads, plus the largest item norm. */
export interface PrunedItemIndex {
  /** Item at each position, descending norm (ties by index), padded with NO_ITEM to whole panels. */
  order: Uint32Array;
  /** nPanels panels of panelBytes bytes. */
  panels: Float32Array;
  nPanels: number;
  /** Q, factors x headSize float64 row-major. */
  basis: Float64Array;
  maxNorm: number;
}

/**
 * Builds the index over `itemFactors` (in the arena). Returns undefined when a factor is not finite,
 * because the bounds then lose their meaning; such scorers use the exact kernels.
 */
export function buildPrunedIndex(kernels: WasmKernelExports, allocator: SharedAllocator, itemFactors: Float32Array, factors: number): PrunedItemIndex | undefined {
  const nItems = itemFactors.length / factors;
  const norms = new Float64Array(nItems);
  for (let item = 0; item < nItems; item++) {
    let sum = 0;
    for (let f = item * factors; f < (item + 1) * factors; f++) sum += itemFactors[f] * itemFactors[f];
    norms[item] = Math.sqrt(sum);
    if (!Number.isFinite(norms[item])) return undefined;
  }

  const sorted = Uint32Array.from({ length: nItems }, (_, item) => item).sort((a, b) => norms[b] - norms[a] || a - b);
  const nPanels = Math.ceil(nItems / PANEL_ITEMS);
  const order = allocator.allocate(Uint32Array, nPanels * PANEL_ITEMS);
  order.set(sorted);
  order.fill(NO_ITEM, nItems);

  const headSize = kernels.headSize();
  const sample = sorted.subarray(0, Math.min(nItems, BASIS_SAMPLE_ROWS));
  const basis = allocator.copy(Float64Array, leadingBasis(itemFactors, factors, sample, headSize));
  const panels = allocator.allocate(Float32Array, (nPanels * kernels.panelBytes()) / 4);
  kernels.buildPanels(itemFactors.byteOffset, factors, order.byteOffset, order.length, basis.byteOffset, panels.byteOffset);
  return { order, panels, nPanels, basis, maxNorm: nItems === 0 ? 0 : norms[sorted[0]] };
}

/**
 * Returns true when every query is finite and |x| max|y| <= MAX_SCORE_BOUND, the conditions under
 * which the pruned kernel's bounds hold.
 */
export function isPrunable(index: PrunedItemIndex, queries: Float32Array, factors: number): boolean {
  const maxSquaredNorm = (MAX_SCORE_BOUND / Math.max(index.maxNorm, 1e-300)) ** 2;
  for (let start = 0; start < queries.length; start += factors) {
    let sum = 0;
    for (let f = start; f < start + factors; f++) sum += queries[f] * queries[f];
    if (!(sum <= maxSquaredNorm)) return false;
  }
  return true;
}
