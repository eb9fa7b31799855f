// The one place that sets the kernels' override constants (workgroup sizes, tiles, capacities) and
// does their dispatch arithmetic, so each number is written once. All are pure functions of the
// factor count and the device limits. The shaders/*.wgsl headers describe what each constant means.

import { InputError } from '../../errors.js';
import { groupSubmissions, splitRange, type PageLayout } from './chunking.js';
import type { KernelLimits } from './limits.js';

/**
 * Maximum estimated multiply-adds per queue submission. Desktop drivers reset a GPU whose command
 * buffer runs for about 2 s. As an estimate, 2^30 multiply-adds take a few milliseconds on a discrete
 * GPU and well under a second on an integrated one, even at a few percent of its peak.
 */
export const SUBMISSION_WORK_BUDGET = 2 ** 30;

/** Override constants passed to createComputePipeline. */
export type OverrideConstants = Record<string, number>;

// ---------------------------------------------------------------------------------------------
// Gram matrix (als-gram.wgsl)

/** Output block side. The accumulate workgroup has GRAM_TILE^2 = 256 lanes, the default maxComputeInvocationsPerWorkgroup. */
export const GRAM_TILE = 16;
/** Rows staged per step: 2 * 16 * 16 floats = 2 KiB of workgroup memory. */
export const GRAM_CHUNK_ROWS = 16;
export const GRAM_REDUCE_WORKGROUP_SIZE = 64;
/** Upper bound on partial slots, so reduceGram reads at most 256 values per element. */
const GRAM_MAX_SLOTS = 256;

export function gramConstants(factors: number): OverrideConstants {
  return { FACTORS: factors, TILE: GRAM_TILE, CHUNK_ROWS: GRAM_CHUNK_ROWS, REDUCE_WORKGROUP_SIZE: GRAM_REDUCE_WORKGROUP_SIZE };
}

/** One accumulateGram dispatch over part of one page. */
export interface GramDispatch {
  page: number;
  blockOffset: number;
  blockCount: number;
  groupOffset: number;
  groupCount: number;
  /** Partial slot of row group 0 of the page. */
  slotBase: number;
  rowCount: number;
  work: number;
}

export interface GramPlan {
  blocksPerSide: number;
  rowsPerGroup: number;
  slotCount: number;
  /** Dispatches grouped into queue submissions. */
  submissions: GramDispatch[][];
  reduceWorkgroups: number;
}

/** Plans the accumulate dispatches over every page and the final reduction. */
export function planGram(pages: PageLayout, limits: KernelLimits): GramPlan {
  const { factors } = pages;
  const blocksPerSide = Math.ceil(factors / GRAM_TILE);
  const blockPairs = (blocksPerSide * (blocksPerSide + 1)) / 2;
  const slotBytes = factors * factors * 4;
  const maxSlots = Math.min(GRAM_MAX_SLOTS, Math.floor(limits.maxStorageBufferBindingSize / slotBytes));
  if (maxSlots < pages.pageRows.length + 1) {
    throw new InputError('invalid_option', `a ${factors} x ${factors} Gram matrix needs ${slotBytes} bytes per partial slot, too many for one storage binding; use fewer factors`, {
      where: 'factors',
    });
  }

  // Row groups: as many as the slot budget allows, each a whole number of staged chunks.
  const targetGroups = Math.max(1, maxSlots - pages.pageRows.length);
  const rowsPerGroup = Math.max(GRAM_CHUNK_ROWS, Math.ceil(Math.ceil(pages.rows / targetGroups) / GRAM_CHUNK_ROWS) * GRAM_CHUNK_ROWS);
  const groupWork = rowsPerGroup * GRAM_TILE * GRAM_TILE;
  const maxPerDimension = limits.maxComputeWorkgroupsPerDimension;
  const maxGroupsPerDispatch = Math.max(1, Math.min(maxPerDimension, Math.floor(SUBMISSION_WORK_BUDGET / (groupWork * blockPairs))));

  const dispatches: GramDispatch[] = [];
  let slotBase = 0;
  pages.pageRows.forEach((rowCount, page) => {
    const groups = Math.ceil(rowCount / rowsPerGroup);
    for (const groupPiece of splitRange(groups, maxGroupsPerDispatch)) {
      for (const blockPiece of splitRange(blockPairs, maxPerDimension)) {
        dispatches.push({
          page,
          blockOffset: blockPiece.start,
          blockCount: blockPiece.count,
          groupOffset: groupPiece.start,
          groupCount: groupPiece.count,
          slotBase,
          rowCount,
          work: groupWork * blockPiece.count * groupPiece.count,
        });
      }
    }
    slotBase += groups;
  });

  return {
    blocksPerSide,
    rowsPerGroup,
    slotCount: slotBase,
    submissions: groupSubmissions(dispatches, SUBMISSION_WORK_BUDGET),
    reduceWorkgroups: Math.ceil((factors * factors) / GRAM_REDUCE_WORKGROUP_SIZE),
  };
}

// ---------------------------------------------------------------------------------------------
// Conjugate-gradient solve (als-solve-cg.wgsl)

export interface SolveConfig {
  workgroupSize: number;
  itemTile: number;
  constants: OverrideConstants;
}

/** Workgroup bytes of solveRowsCg: solution, residual, direction, product, the item tile, weights, lane sums. */
export function solveWorkgroupBytes(factors: number, workgroupSize: number, itemTile: number): number {
  return (4 * factors + itemTile * factors + itemTile + workgroupSize) * 4;
}

/**
 * Picks the CG workgroup: one lane per factor up to 128 lanes (two 64-wide AMD waves, four 32-wide
 * NVIDIA warps), at least 32, and an item tile of 8 rows, halved while the workgroup memory does not fit.
 */
export function solveConfig(factors: number, limits: KernelLimits): SolveConfig {
  const laneLimit = Math.min(limits.maxComputeInvocationsPerWorkgroup, limits.maxComputeWorkgroupSizeX);
  const workgroupSize = Math.min(laneLimit, Math.max(32, Math.min(128, nextPowerOfTwo(factors))));
  for (let itemTile = 8; itemTile >= 1; itemTile /= 2) {
    if (solveWorkgroupBytes(factors, workgroupSize, itemTile) <= limits.maxComputeWorkgroupStorageSize) {
      return { workgroupSize, itemTile, constants: { FACTORS: factors, WORKGROUP_SIZE: workgroupSize, ITEM_TILE: itemTile } };
    }
  }
  const maxFactors = Math.floor((limits.maxComputeWorkgroupStorageSize / 4 - workgroupSize - 1) / 5);
  throw new InputError('invalid_option', `factors is ${factors} but the CG solver on this device supports at most ${maxFactors} (workgroup storage ${limits.maxComputeWorkgroupStorageSize} bytes); use fewer factors or device "cpu"`, {
    where: 'factors',
    expected: `at most ${maxFactors}`,
    received: String(factors),
  });
}

/** Estimated multiply-adds for one row: the residual plus cgSteps products, each F^2 dense and 2 F per entry. */
export function solveRowWork(entryCount: number, factors: number, cgSteps: number): number {
  return (cgSteps + 1) * (factors * factors + 2 * entryCount * factors) + factors;
}

// ---------------------------------------------------------------------------------------------
// Loss (als-loss.wgsl)

export const LOSS_WORKGROUP_SIZE = 64;

export function lossConstants(factors: number): OverrideConstants {
  return { FACTORS: factors, WORKGROUP_SIZE: LOSS_WORKGROUP_SIZE };
}

export function lossWorkgroups(rowCount: number): number {
  return Math.ceil(rowCount / LOSS_WORKGROUP_SIZE);
}

// ---------------------------------------------------------------------------------------------
// Top-N scoring (score-topn.wgsl)

/** Lanes per scoring workgroup: items scored per tile. */
export const TOPN_WORKGROUP_SIZE = 128;

export interface TopNConfig {
  workgroupSize: number;
  topCapacity: number;
  constants: OverrideConstants;
}

function topNWorkgroupSize(limits: KernelLimits): number {
  return Math.min(TOPN_WORKGROUP_SIZE, limits.maxComputeInvocationsPerWorkgroup, limits.maxComputeWorkgroupSizeX);
}

/** Workgroup bytes of scoreTopN: the query, 2 * capacity (score, id) pairs and 7 scalars. */
export function topNWorkgroupBytes(factors: number, topCapacity: number): number {
  return factors * 4 + 2 * topCapacity * 8 + 7 * 4;
}

/**
 * Largest n the device selects on the GPU: the largest power-of-two capacity whose lists fit in
 * workgroup memory (512 with the WebGPU default of 16 KiB, 1024 with 32 KiB, for 128 factors).
 */
export function maxTopN(factors: number, limits: KernelLimits): number {
  let capacity = 2 * topNWorkgroupSize(limits);
  if (topNWorkgroupBytes(factors, capacity) > limits.maxComputeWorkgroupStorageSize) return 0;
  while (topNWorkgroupBytes(factors, capacity * 2) <= limits.maxComputeWorkgroupStorageSize) capacity *= 2;
  return capacity;
}

/**
 * Capacity is the next power of two of n, and at least twice the workgroup size, so a tile of
 * candidates fits in the pending list without a sort after every tile. Returns undefined when n
 * exceeds maxTopN.
 */
export function topNConfig(factors: number, n: number, limits: KernelLimits): TopNConfig | undefined {
  if (n > maxTopN(factors, limits)) return undefined;
  const workgroupSize = topNWorkgroupSize(limits);
  const topCapacity = Math.max(nextPowerOfTwo(n), 2 * workgroupSize);
  return { workgroupSize, topCapacity, constants: { FACTORS: factors, WORKGROUP_SIZE: workgroupSize, TOP_CAPACITY: topCapacity } };
}

/** Estimated multiply-adds for one query over `itemCount` items. */
export function topNQueryWork(itemCount: number, factors: number): number {
  return Math.max(1, itemCount) * factors;
}

export function nextPowerOfTwo(value: number): number {
  let power = 1;
  while (power < value) power *= 2;
  return power;
}
