// Top-N selection over blocked scores: scores a block of queries against a block of items, then
// offers each eligible score to that query's bounded heap. No full sort of the scores is ever made.

import { invariant } from '../../../errors.js';
import { offerToHeap, sortHeapBestFirst } from './heap.js';
import { scoreBlock } from './score-block.js';

/** Queries scored together. Eight query rows (2 KiB at 64 factors) stay in L1 beside one item row. */
export const QUERY_BLOCK = 8;
/** Items per block. 256 item rows at 64 factors are 64 KiB, which stays in L2 across the query block. */
export const ITEM_BLOCK = 256;

/** One top-N request's read-only inputs. Every index list is sorted ascending. */
export interface TopNInputs {
  /** nQueries x factors, row-major. */
  queries: Float32Array;
  /** nItems x factors, row-major. */
  itemFactors: Float32Array;
  factors: number;
  n: number;
  /** Per-query excluded items: row q is excludeIndices[excludeIndptr[q] .. excludeIndptr[q + 1]), sorted. */
  excludeIndptr?: Uint32Array;
  excludeIndices?: Uint32Array;
  /** Items excluded for every query. */
  filterItems?: Uint32Array;
  /** When given, only these items are scored, and positions index this list. */
  candidates?: Uint32Array;
}

/** The part of a request one call handles: queries [queryStart, queryEnd) over positions [positionStart, positionEnd). */
export interface TopNRange {
  queryStart: number;
  queryEnd: number;
  /** Item index, or index into `candidates` when candidates are given. */
  positionStart: number;
  positionEnd: number;
}

/** Output arrays: query q's row is `outRow + (q - queryStart)`, each row n wide. */
export interface TopNOutput {
  ids: Int32Array;
  scores: Float32Array;
  outRow: number;
}

/** Per-thread work space, reused across requests; createTopNScratch sizes it. */
export interface TopNScratch {
  /** Heap capacity per query. */
  n: number;
  blockScores: Float32Array;
  isFiltered: Uint8Array;
  cursors: Uint32Array;
  heapIds: Int32Array;
  heapScores: Float32Array;
  heapSizes: Int32Array;
}

/** Returns `existing` when its heaps hold at least `n` pairs, else new scratch with heaps of n pairs. */
export function createTopNScratch(n: number, existing?: TopNScratch): TopNScratch {
  if (existing !== undefined && existing.n >= n) return existing;
  return {
    n,
    blockScores: new Float32Array(QUERY_BLOCK * ITEM_BLOCK),
    isFiltered: new Uint8Array(ITEM_BLOCK),
    cursors: new Uint32Array(QUERY_BLOCK),
    heapIds: new Int32Array(QUERY_BLOCK * n),
    heapScores: new Float32Array(QUERY_BLOCK * n),
    heapSizes: new Int32Array(QUERY_BLOCK),
  };
}

/** Returns the first position in sorted[start, end) whose value is >= value. */
export function lowerBound(sorted: Uint32Array, start: number, end: number, value: number): number {
  let lo = start;
  let hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Returns the heap capacity selectTopN needs for `range`: n, or fewer when fewer items can be ranked. */
export function heapCapacity(n: number, range: TopNRange): number {
  return Math.min(n, Math.max(0, range.positionEnd - range.positionStart));
}

/**
 * Writes the top n (item, score) pairs of each query in `range`, best first, ties to the lower item
 * index, padded with id -1 and score -Infinity. Excluded and filtered items and NaN scores never appear.
 * `scratch` must come from createTopNScratch(heapCapacity(n, range)) or larger.
 */
export function selectTopN(inputs: TopNInputs, range: TopNRange, output: TopNOutput, scratch: TopNScratch): void {
  const capacity = heapCapacity(inputs.n, range);
  invariant(scratch.n >= capacity, () => `top-N scratch holds ${scratch.n} pairs per query, ${capacity} needed`);
  for (let queryStart = range.queryStart; queryStart < range.queryEnd; queryStart += QUERY_BLOCK) {
    const queryCount = Math.min(QUERY_BLOCK, range.queryEnd - queryStart);
    selectQueryBlock(inputs, capacity, queryStart, queryCount, range, scratch);
    writeQueryBlock(inputs.n, capacity, queryCount, scratch, output, output.outRow + queryStart - range.queryStart);
  }
}

function itemAtPosition(candidates: Uint32Array | undefined, position: number): number {
  return candidates === undefined ? position : candidates[position];
}

function selectQueryBlock(
  inputs: TopNInputs,
  capacity: number,
  queryStart: number,
  queryCount: number,
  range: TopNRange,
  scratch: TopNScratch,
): void {
  const { queries, itemFactors, factors, excludeIndptr, excludeIndices, filterItems, candidates } = inputs;
  const { blockScores, isFiltered, cursors, heapIds, heapScores, heapSizes } = scratch;
  if (capacity === 0) {
    heapSizes.fill(0);
    return;
  }

  // Every list is sorted and positions ascend, so one forward cursor per list finds exclusions.
  const firstItem = itemAtPosition(candidates, range.positionStart);
  for (let q = 0; q < queryCount; q++) {
    heapSizes[q] = 0;
    if (excludeIndptr !== undefined && excludeIndices !== undefined) {
      const query = queryStart + q;
      cursors[q] = lowerBound(excludeIndices, excludeIndptr[query], excludeIndptr[query + 1], firstItem);
    }
  }
  let filterCursor = filterItems === undefined ? 0 : lowerBound(filterItems, 0, filterItems.length, firstItem);

  for (let blockStart = range.positionStart; blockStart < range.positionEnd; blockStart += ITEM_BLOCK) {
    const itemCount = Math.min(ITEM_BLOCK, range.positionEnd - blockStart);
    scoreBlock(queries, queryStart, queryCount, itemFactors, factors, candidates, blockStart, itemCount, blockScores, ITEM_BLOCK);

    if (filterItems !== undefined) {
      for (let j = 0; j < itemCount; j++) {
        const item = itemAtPosition(candidates, blockStart + j);
        while (filterCursor < filterItems.length && filterItems[filterCursor] < item) filterCursor++;
        isFiltered[j] = filterCursor < filterItems.length && filterItems[filterCursor] === item ? 1 : 0;
      }
    }

    for (let q = 0; q < queryCount; q++) {
      const heapBase = q * capacity;
      const scoreBase = q * ITEM_BLOCK;
      let size = heapSizes[q];
      let cursor = cursors[q];
      const excludeEnd = excludeIndptr === undefined ? 0 : excludeIndptr[queryStart + q + 1];
      for (let j = 0; j < itemCount; j++) {
        if (filterItems !== undefined && isFiltered[j] === 1) continue;
        const score = blockScores[scoreBase + j];
        // Items arrive in ascending order, so an equal score never displaces a kept (lower) index.
        if (size === capacity && !(score > heapScores[heapBase])) continue;
        if (score !== score) continue;
        const item = itemAtPosition(candidates, blockStart + j);
        if (excludeIndices !== undefined) {
          while (cursor < excludeEnd && excludeIndices[cursor] < item) cursor++;
          if (cursor < excludeEnd && excludeIndices[cursor] === item) continue;
        }
        size = offerToHeap(heapIds, heapScores, heapBase, size, capacity, item, score);
      }
      heapSizes[q] = size;
      cursors[q] = cursor;
    }
  }
}

function writeQueryBlock(
  n: number,
  capacity: number,
  queryCount: number,
  scratch: TopNScratch,
  output: TopNOutput,
  firstRow: number,
): void {
  const { heapIds, heapScores, heapSizes } = scratch;
  for (let q = 0; q < queryCount; q++) {
    const heapBase = q * capacity;
    const size = heapSizes[q];
    sortHeapBestFirst(heapIds, heapScores, heapBase, size);
    const rowBase = (firstRow + q) * n;
    for (let k = 0; k < size; k++) {
      output.ids[rowBase + k] = heapIds[heapBase + k];
      output.scores[rowBase + k] = heapScores[heapBase + k];
    }
    output.ids.fill(-1, rowBase + size, rowBase + n);
    output.scores.fill(-Infinity, rowBase + size, rowBase + n);
  }
}
