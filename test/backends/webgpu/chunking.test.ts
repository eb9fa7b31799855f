// Host-side arithmetic of the WebGPU backend: bound ranges, pages, row chunks, query blocks and
// submissions. Pure functions, so no adapter is needed.

import { describe, expect, it } from 'vitest';
import {
  boundRange,
  groupSubmissions,
  paddedByteLength,
  planPages,
  planQueryBlocks,
  planRowChunks,
  splitRange,
} from '../../../src/backends/webgpu/chunking.js';
import type { KernelLimits } from '../../../src/backends/webgpu/limits.js';

const limits: KernelLimits = {
  maxStorageBufferBindingSize: 1024,
  maxBufferSize: 1 << 20,
  maxComputeWorkgroupsPerDimension: 65535,
  maxComputeWorkgroupStorageSize: 16384,
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
  minStorageBufferOffsetAlignment: 256,
  minUniformBufferOffsetAlignment: 256,
};

describe('boundRange', () => {
  it('aligns the offset down and reports the base element', () => {
    expect(boundRange(70, 100, 4, 256)).toEqual({ offset: 256, size: 144, base: 64 });
  });

  it('binds 4 bytes for an empty range', () => {
    expect(boundRange(64, 64, 4, 256)).toEqual({ offset: 256, size: 4, base: 64 });
  });

  it('handles 8-byte elements', () => {
    expect(boundRange(33, 40, 8, 256)).toEqual({ offset: 256, size: 64, base: 32 });
  });
});

describe('paddedByteLength', () => {
  it('adds one spare element', () => {
    expect(paddedByteLength(10, 4)).toBe(44);
    expect(paddedByteLength(0, 8)).toBe(8);
  });
});

describe('planPages', () => {
  it('fits each page and its spare element in one binding', () => {
    const layout = planPages(100, 3, limits);
    // (1024 - 4) / 12 = 85 rows per page.
    expect(layout.rowsPerPage).toBe(85);
    expect(layout.pageRows).toEqual([85, 15]);
    expect(paddedByteLength(layout.rowsPerPage * 3, 4)).toBeLessThanOrEqual(limits.maxStorageBufferBindingSize);
  });

  it('gives an empty matrix one empty page', () => {
    expect(planPages(0, 8, limits).pageRows).toEqual([0]);
  });

  it('rejects a row wider than a binding', () => {
    expect(() => planPages(1, 300, limits)).toThrow(/one factor row needs 1200 bytes/);
  });
});

describe('planRowChunks', () => {
  // 40 rows with 0..4 entries each, 80 entries in all.
  const lengths = Array.from({ length: 40 }, (_, row) => row % 5);
  const indptr = new Uint32Array(41);
  lengths.forEach((length, row) => (indptr[row + 1] = indptr[row] + length));

  function plan(overrides: Partial<Parameters<typeof planRowChunks>[0]> = {}) {
    return planRowChunks({
      indptr,
      pages: planPages(40, 4, limits),
      limits,
      maxRows: 1000,
      workBudget: 1e9,
      rowWork: (entries) => entries + 1,
      ...overrides,
    });
  }

  it('covers every row once, in order', () => {
    const chunks = plan({ maxRows: 7 });
    let next = 0;
    for (const chunk of chunks) {
      expect(chunk.rowStart).toBe(next);
      expect(chunk.rowCount).toBeGreaterThan(0);
      expect(chunk.rowCount).toBeLessThanOrEqual(7);
      next += chunk.rowCount;
    }
    expect(next).toBe(40);
  });

  it('keeps every bound range inside one binding and aligned', () => {
    const pages = planPages(40, 4, limits);
    for (const chunk of plan({ pages })) {
      for (const range of [chunk.indptr, chunk.entries, chunk.factors]) {
        expect(range.offset % limits.minStorageBufferOffsetAlignment).toBe(0);
        expect(range.size).toBeLessThanOrEqual(limits.maxStorageBufferBindingSize);
      }
      const pageStart = chunk.page * pages.rowsPerPage;
      expect(chunk.rowStart - pageStart + chunk.rowCount).toBeLessThanOrEqual(pages.pageRows[chunk.page]);
      expect(chunk.factorsBase).toBe(pageStart * 4 + chunk.factors.base);
      expect(chunk.entries.base).toBeLessThanOrEqual(indptr[chunk.rowStart]);
    }
  });

  it('splits at page boundaries', () => {
    // (1024 - 4) / 16 = 63 rows per page at 4 factors: only 40 rows, so use 12 factors (21 per page).
    const pages = planPages(40, 12, limits);
    const chunks = plan({ pages });
    expect(pages.rowsPerPage).toBe(21);
    expect(chunks.map((chunk) => chunk.page)).toEqual([0, 1]);
    expect(chunks[1].rowStart).toBe(21);
  });

  it('respects the work budget but always takes one row', () => {
    const chunks = plan({ workBudget: 6 });
    for (const chunk of chunks) {
      if (chunk.rowCount > 1) expect(chunk.work).toBeLessThanOrEqual(6);
    }
    expect(chunks.reduce((sum, chunk) => sum + chunk.rowCount, 0)).toBe(40);
  });

  it('rejects a row that exceeds one binding', () => {
    const big = new Uint32Array([0, 300]);
    expect(() => plan({ indptr: big, pages: planPages(1, 4, limits) })).toThrow(/row 0 has 300 stored entries/);
  });
});

describe('groupSubmissions', () => {
  it('packs consecutive items up to the budget', () => {
    const items = [3, 3, 3, 9, 1, 1].map((work) => ({ work }));
    expect(groupSubmissions(items, 6).map((group) => group.map((item) => item.work))).toEqual([[3, 3], [3], [9], [1, 1]]);
  });
});

describe('splitRange', () => {
  it('cuts a count into pieces of at most the maximum', () => {
    expect(splitRange(10, 4)).toEqual([
      { start: 0, count: 4 },
      { start: 4, count: 4 },
      { start: 8, count: 2 },
    ]);
    expect(splitRange(0, 4)).toEqual([]);
  });
});

describe('planQueryBlocks', () => {
  it('splits by workgroups per dimension and keeps result ranges in one binding', () => {
    const blocks = planQueryBlocks({
      nQueries: 50,
      factors: 4,
      n: 10,
      resultBytes: 8,
      excludeIndptr: new Uint32Array(1),
      hasExclusions: false,
      limits: { ...limits, maxComputeWorkgroupsPerDimension: 7 },
      workPerQuery: 1,
      workBudget: 1e9,
    });
    expect(blocks.reduce((sum, block) => sum + block.queryCount, 0)).toBe(50);
    for (const block of blocks) {
      expect(block.queryCount).toBeLessThanOrEqual(7);
      expect(block.results.size).toBeLessThanOrEqual(limits.maxStorageBufferBindingSize);
      expect(block.results.base).toBeLessThanOrEqual(block.queryStart * 10);
    }
  });

  it('splits when the result range would outgrow a binding', () => {
    // 10 results of 8 bytes per query: 12 queries fill 960 bytes of a 1024-byte binding.
    const blocks = planQueryBlocks({
      nQueries: 30,
      factors: 2,
      n: 10,
      resultBytes: 8,
      excludeIndptr: new Uint32Array(1),
      hasExclusions: false,
      limits,
      workPerQuery: 1,
      workBudget: 1e9,
    });
    expect(blocks.length).toBeGreaterThan(2);
    for (const block of blocks) expect(block.results.size).toBeLessThanOrEqual(1024);
  });
});
