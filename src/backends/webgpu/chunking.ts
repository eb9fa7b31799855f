// Pure arithmetic that cuts large buffers and dispatches into pieces the device accepts: bound ranges
// under maxStorageBufferBindingSize with aligned offsets, factor pages, row chunks, submissions.

import { InputError, invariant } from '../../errors.js';
import type { KernelLimits } from './limits.js';

/**
 * A range of a buffer bound to one binding. The offset is aligned down to the device's
 * minStorageBufferOffsetAlignment, so the range may start before the first element the kernel reads.
 * `base` is the element index at `offset`, and the kernel subtracts it from its absolute indices.
 */
export interface BoundRange {
  /** Byte offset into the buffer. */
  offset: number;
  /** Byte size of the binding, at least 4. */
  size: number;
  /** Index of the element at `offset`, in elements of the bound array. */
  base: number;
}

/**
 * Returns the range that covers elements [first, end) of `elementBytes` each. Range-bound buffers
 * are allocated with one spare element (paddedByteLength), so an empty range at the very end still
 * has 4 bytes to bind.
 */
export function boundRange(first: number, end: number, elementBytes: number, alignment: number): BoundRange {
  invariant(alignment % elementBytes === 0, () => `alignment ${alignment} is not a multiple of the element size ${elementBytes}`);
  const offset = Math.floor((first * elementBytes) / alignment) * alignment;
  const size = Math.max(4, end * elementBytes - offset);
  return { offset, size, base: offset / elementBytes };
}

/** Byte length for a buffer of `elementCount` elements that is bound in ranges: one spare element, multiple of 4. */
export function paddedByteLength(elementCount: number, elementBytes: number): number {
  return Math.ceil(((elementCount + 1) * elementBytes) / 4) * 4;
}

/** The split of a rows x factors matrix over device buffers, each small enough to bind whole. */
export interface PageLayout {
  rows: number;
  factors: number;
  rowsPerPage: number;
  /** Rows in each page. Every page but the last has rowsPerPage rows. */
  pageRows: number[];
}

/** Splits a factor matrix into pages of at most min(maxStorageBufferBindingSize, maxBufferSize) bytes. */
export function planPages(rows: number, factors: number, limits: KernelLimits): PageLayout {
  const pageBytes = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize) - 4;
  const rowsPerPage = Math.floor(pageBytes / (factors * 4));
  if (rowsPerPage < 1) {
    throw new InputError('invalid_option', `one factor row needs ${factors * 4} bytes but a storage binding is at most ${pageBytes} bytes; use fewer factors`, {
      where: 'factors',
    });
  }
  const pageRows: number[] = [];
  for (let start = 0; start < rows; start += rowsPerPage) pageRows.push(Math.min(rowsPerPage, rows - start));
  if (pageRows.length === 0) pageRows.push(0);
  return { rows, factors, rowsPerPage, pageRows };
}

/** One dispatch of a row-parallel kernel over rows [rowStart, rowStart + rowCount) of one page. */
export interface RowChunk {
  rowStart: number;
  rowCount: number;
  page: number;
  indptr: BoundRange;
  entries: BoundRange;
  /** Range of the page buffer; `base` is relative to the page. */
  factors: BoundRange;
  /** Absolute element index (row * factors + f) at factors.offset, for kernels that index across pages. */
  factorsBase: number;
  /** Estimated multiply-adds of the chunk. */
  work: number;
}

export interface RowChunkOptions {
  indptr: Uint32Array;
  pages: PageLayout;
  limits: KernelLimits;
  /** Maximum rows per chunk (for one-workgroup-per-row kernels, maxComputeWorkgroupsPerDimension). */
  maxRows: number;
  /** Maximum estimated multiply-adds per chunk. A single row may exceed it. */
  workBudget: number;
  /** Estimated multiply-adds for a row with `entryCount` stored entries. */
  rowWork: (entryCount: number) => number;
}

/**
 * Cuts the rows into chunks that stay inside one factor page, keep each bound range (indptr,
 * indices/data, factor rows) under maxStorageBufferBindingSize, and respect maxRows and workBudget.
 * Greedy, in row order, O(rows).
 */
export function planRowChunks(options: RowChunkOptions): RowChunk[] {
  const { indptr, pages, limits, maxRows, workBudget, rowWork } = options;
  const { factors, rowsPerPage } = pages;
  const alignment = limits.minStorageBufferOffsetAlignment;
  const bindingLimit = limits.maxStorageBufferBindingSize;
  const rows = indptr.length - 1;
  const chunks: RowChunk[] = [];

  let row = 0;
  while (row < rows) {
    const page = Math.floor(row / rowsPerPage);
    const pageStart = page * rowsPerPage;
    const pageEnd = Math.min(rows, pageStart + rowsPerPage);
    const indptrStart = boundRange(row, row + 1, 4, alignment).base;
    const entryStart = boundRange(indptr[row], indptr[row], 4, alignment).base;
    const factorStart = boundRange((row - pageStart) * factors, (row - pageStart) * factors, 4, alignment).base;

    let end = row;
    let work = 0;
    while (end < pageEnd && end - row < maxRows) {
      const rowCost = rowWork(indptr[end + 1] - indptr[end]);
      const fits =
        (indptr[end + 1] - entryStart) * 4 <= bindingLimit &&
        (end + 2 - indptrStart) * 4 <= bindingLimit &&
        ((end + 1 - pageStart) * factors - factorStart) * 4 <= bindingLimit;
      if (end > row && (!fits || work + rowCost > workBudget)) break;
      if (end === row && !fits) {
        throw new InputError('invalid_csr', `row ${row} has ${indptr[end + 1] - indptr[end]} stored entries, more than fit in one storage binding of ${bindingLimit} bytes; use device "cpu"`, {
          where: `row ${row}`,
        });
      }
      work += rowCost;
      end += 1;
    }

    chunks.push({
      rowStart: row,
      rowCount: end - row,
      page,
      indptr: boundRange(row, end + 1, 4, alignment),
      entries: boundRange(indptr[row], indptr[end], 4, alignment),
      factors: boundRange((row - pageStart) * factors, (end - pageStart) * factors, 4, alignment),
      factorsBase: pageStart * factors + factorStart,
      work,
    });
    row = end;
  }
  return chunks;
}

/** Groups consecutive items into submissions of at most `budget` total work (at least one item each). */
export function groupSubmissions<T extends { work: number }>(items: readonly T[], budget: number): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let work = 0;
  for (const item of items) {
    if (current.length > 0 && work + item.work > budget) {
      groups.push(current);
      current = [];
      work = 0;
    }
    current.push(item);
    work += item.work;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** Splits [0, count) into consecutive pieces of at most maxPerPiece. */
export function splitRange(count: number, maxPerPiece: number): { start: number; count: number }[] {
  invariant(maxPerPiece >= 1, 'splitRange needs maxPerPiece >= 1');
  const pieces: { start: number; count: number }[] = [];
  for (let start = 0; start < count; start += maxPerPiece) pieces.push({ start, count: Math.min(maxPerPiece, count - start) });
  return pieces;
}

/** One scoreTopN dispatch over queries [queryStart, queryStart + queryCount). */
export interface QueryBlock {
  queryStart: number;
  queryCount: number;
  queries: BoundRange;
  results: BoundRange;
  excludeIndptr: BoundRange;
  excludeEntries: BoundRange;
  work: number;
}

export interface QueryBlockOptions {
  nQueries: number;
  factors: number;
  n: number;
  /** Bytes per result entry (id and score). */
  resultBytes: number;
  excludeIndptr: Uint32Array;
  hasExclusions: boolean;
  limits: KernelLimits;
  workPerQuery: number;
  workBudget: number;
}

/**
 * Cuts the queries into dispatches of at most maxComputeWorkgroupsPerDimension queries (one
 * workgroup each) whose query, result and exclude ranges each fit one storage binding.
 */
export function planQueryBlocks(options: QueryBlockOptions): QueryBlock[] {
  const { nQueries, factors, n, resultBytes, excludeIndptr, hasExclusions, limits, workPerQuery, workBudget } = options;
  const alignment = limits.minStorageBufferOffsetAlignment;
  const bindingLimit = limits.maxStorageBufferBindingSize;
  const rowOf = (query: number) => (hasExclusions ? excludeIndptr[query] : 0);
  const maxQueries = Math.max(1, Math.min(limits.maxComputeWorkgroupsPerDimension, Math.floor(workBudget / workPerQuery)));
  const blocks: QueryBlock[] = [];

  let start = 0;
  while (start < nQueries) {
    const queryBase = boundRange(start * factors, start * factors, 4, alignment).base;
    const resultBase = boundRange(start * n, start * n, resultBytes, alignment).base;
    const indptrBase = boundRange(start, start, 4, alignment).base;
    const entryBase = boundRange(rowOf(start), rowOf(start), 4, alignment).base;
    let end = start + 1;
    while (end < nQueries && end - start < maxQueries) {
      const next = end + 1;
      const fits =
        (next * factors - queryBase) * 4 <= bindingLimit &&
        (next * n - resultBase) * resultBytes <= bindingLimit &&
        (next + 1 - indptrBase) * 4 <= bindingLimit &&
        (rowOf(next) - entryBase) * 4 <= bindingLimit;
      if (!fits) break;
      end = next;
    }
    blocks.push({
      queryStart: start,
      queryCount: end - start,
      queries: boundRange(start * factors, end * factors, 4, alignment),
      results: boundRange(start * n, end * n, resultBytes, alignment),
      excludeIndptr: boundRange(start, end + 1, 4, alignment),
      excludeEntries: boundRange(rowOf(start), rowOf(end), 4, alignment),
      work: (end - start) * workPerQuery,
    });
    start = end;
  }
  return blocks;
}
