// Override constants and dispatch arithmetic of the kernels, plus the small host helpers around them
// (uniform packing, adapter summary, limit overrides, top-N request checks). No adapter needed.

import { describe, expect, it } from 'vitest';
import { describeAdapter, summarizeAdapter } from '../../../src/backends/webgpu/adapter-summary.js';
import { planPages } from '../../../src/backends/webgpu/chunking.js';
import {
  GRAM_TILE,
  maxTopN,
  planGram,
  solveConfig,
  solveWorkgroupBytes,
  SUBMISSION_WORK_BUDGET,
  topNConfig,
  topNWorkgroupBytes,
} from '../../../src/backends/webgpu/kernel-config.js';
import { effectiveLimits, type KernelLimits } from '../../../src/backends/webgpu/limits.js';
import { normalizeTopNRequest } from '../../../src/backends/webgpu/topn-request.js';
import { packUniform } from '../../../src/backends/webgpu/uniforms.js';
import { InputError } from '../../../src/errors.js';

// The WebGPU default limits, which every adapter supports.
const defaults: KernelLimits = {
  maxStorageBufferBindingSize: 128 * 1024 * 1024,
  maxBufferSize: 256 * 1024 * 1024,
  maxComputeWorkgroupsPerDimension: 65535,
  maxComputeWorkgroupStorageSize: 16384,
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
  minStorageBufferOffsetAlignment: 256,
  minUniformBufferOffsetAlignment: 256,
};

describe('planGram', () => {
  it('computes only blocks on or above the diagonal', () => {
    const plan = planGram(planPages(1000, 40, defaults), defaults);
    // ceil(40 / 16) = 3 blocks per side, 6 on or above the diagonal.
    expect(plan.blocksPerSide).toBe(3);
    const blockCounts = plan.submissions.flat().map((dispatch) => dispatch.blockCount);
    expect(Math.max(...blockCounts)).toBe(6);
  });

  it('covers every row group of every page once', () => {
    const limits = { ...defaults, maxStorageBufferBindingSize: 64 * 1024 };
    const pages = planPages(10_000, 8, limits);
    const plan = planGram(pages, limits);
    expect(pages.pageRows.length).toBe(5);
    const groupsPerPage = pages.pageRows.map((rows) => Math.ceil(rows / plan.rowsPerGroup));
    expect(plan.slotCount).toBe(groupsPerPage.reduce((a, b) => a + b, 0));
    pages.pageRows.forEach((_, page) => {
      const groups = plan.submissions.flat().filter((dispatch) => dispatch.page === page);
      expect(groups.reduce((sum, dispatch) => sum + dispatch.groupCount, 0)).toBe(groupsPerPage[page]);
    });
    expect(plan.slotCount * 8 * 8 * 4).toBeLessThanOrEqual(limits.maxStorageBufferBindingSize);
  });

  it('splits dispatches at maxComputeWorkgroupsPerDimension', () => {
    const limits = { ...defaults, maxComputeWorkgroupsPerDimension: 3 };
    const plan = planGram(planPages(5000, 64, limits), limits);
    for (const dispatch of plan.submissions.flat()) {
      expect(dispatch.blockCount).toBeLessThanOrEqual(3);
      expect(dispatch.groupCount).toBeLessThanOrEqual(3);
    }
    // 4 blocks per side at 64 factors: 10 upper blocks in pieces of 3, 3, 3, 1.
    expect(new Set(plan.submissions.flat().map((dispatch) => dispatch.blockOffset))).toEqual(new Set([0, 3, 6, 9]));
  });

  it('keeps each submission within the work budget', () => {
    const plan = planGram(planPages(2_000_000, 128, { ...defaults, maxStorageBufferBindingSize: 2 ** 31 }), { ...defaults, maxStorageBufferBindingSize: 2 ** 31 });
    for (const group of plan.submissions) {
      const work = group.reduce((sum, dispatch) => sum + dispatch.work, 0);
      if (group.length > 1) expect(work).toBeLessThanOrEqual(SUBMISSION_WORK_BUDGET);
    }
    expect(plan.submissions.length).toBeGreaterThan(1);
    expect(GRAM_TILE * GRAM_TILE).toBeLessThanOrEqual(defaults.maxComputeInvocationsPerWorkgroup);
  });
});

describe('solveConfig', () => {
  it('uses one lane per factor between 32 and 128 lanes', () => {
    expect(solveConfig(10, defaults).workgroupSize).toBe(32);
    expect(solveConfig(64, defaults).workgroupSize).toBe(64);
    expect(solveConfig(100, defaults).workgroupSize).toBe(128);
    expect(solveConfig(300, defaults).workgroupSize).toBe(128);
  });

  it('fits 128 factors in the default workgroup storage', () => {
    const config = solveConfig(128, defaults);
    expect(config.itemTile).toBe(8);
    expect(solveWorkgroupBytes(128, config.workgroupSize, config.itemTile)).toBeLessThanOrEqual(16384);
  });

  it('shrinks the item tile for wide factors, then rejects', () => {
    expect(solveConfig(300, defaults).itemTile).toBe(8);
    expect(solveConfig(400, defaults).itemTile).toBe(4);
    expect(() => solveConfig(2000, defaults)).toThrow(InputError);
    expect(() => solveConfig(2000, defaults)).toThrow(/supports at most 793/);
  });
});

describe('topNConfig', () => {
  it('maxTopN follows workgroup storage', () => {
    expect(maxTopN(128, defaults)).toBe(512);
    expect(maxTopN(128, { ...defaults, maxComputeWorkgroupStorageSize: 32768 })).toBe(1024);
  });

  it('capacity is a power of two', () => {
    expect(topNConfig(32, 10, defaults)?.topCapacity).toBe(256);
    expect(topNConfig(32, 300, defaults)?.topCapacity).toBe(512);
    expect(topNConfig(32, 513, defaults)).toBeUndefined();
    expect(topNWorkgroupBytes(32, 512)).toBeLessThanOrEqual(16384);
  });
});

describe('packUniform', () => {
  it('lays out 4-byte fields in order and pads to 16 bytes', () => {
    const packed = packUniform([['u32', 7], ['f32', 0.5], ['u32', 0xffffffff], ['u32', 1], ['f32', -2]]);
    expect(packed.byteLength).toBe(32);
    const view = new DataView(packed);
    expect(view.getUint32(0, true)).toBe(7);
    expect(view.getFloat32(4, true)).toBe(0.5);
    expect(view.getUint32(8, true)).toBe(0xffffffff);
    expect(view.getFloat32(16, true)).toBe(-2);
    expect(view.getUint32(20, true)).toBe(0);
  });
});

describe('summarizeAdapter', () => {
  it('marks lavapipe as software', () => {
    const summary = summarizeAdapter({ vendor: 'mesa', architecture: 'software', device: 'llvmpipe-llvm-15', description: 'llvmpipe: Mesa 25.0.7' });
    expect(summary.isSoftware).toBe(true);
    expect(describeAdapter(summary)).toBe('mesa software llvmpipe: Mesa 25.0.7 (software)');
  });

  it('marks SwiftShader and fallback adapters as software', () => {
    expect(summarizeAdapter({ vendor: 'google', description: 'SwiftShader Device (Subzero)' }).isSoftware).toBe(true);
    expect(summarizeAdapter({ vendor: 'x', isFallbackAdapter: true }).isSoftware).toBe(true);
    expect(summarizeAdapter({ vendor: 'x', type: 'CPU' }).isSoftware).toBe(true);
  });

  it('keeps hardware adapters hardware', () => {
    expect(summarizeAdapter({ vendor: 'amd', architecture: 'gcn-4', description: 'AMD Radeon RX 570 Series (RADV POLARIS10)' }).isSoftware).toBe(false);
  });
});

describe('effectiveLimits', () => {
  const deviceLimits = { ...defaults } as unknown as GPUSupportedLimits;

  it('lowers limits but never raises them', () => {
    const limits = effectiveLimits(deviceLimits, { maxStorageBufferBindingSize: 4096, maxComputeWorkgroupsPerDimension: 1e9 });
    expect(limits.maxStorageBufferBindingSize).toBe(4096);
    expect(limits.maxComputeWorkgroupsPerDimension).toBe(65535);
  });

  it('rejects a binding size below the offset alignment', () => {
    expect(() => effectiveLimits(deviceLimits, { maxStorageBufferBindingSize: 100 })).toThrow(/limits.maxStorageBufferBindingSize is 100, expected a multiple of 4 and at least 256/);
  });
});

describe('normalizeTopNRequest', () => {
  const queries = new Float32Array(6);

  it('sorts unsorted exclude rows on a copy', () => {
    const indices = new Uint32Array([3, 1, 2, 0]);
    const normalized = normalizeTopNRequest({ queries, n: 2, exclude: { indptr: new Uint32Array([0, 2, 4]), indices } }, 5, 3);
    expect([...normalized.excludeIndices]).toEqual([1, 3, 0, 2]);
    expect([...indices]).toEqual([3, 1, 2, 0]);
  });

  it('rejects unsorted filterItems', () => {
    expect(() => normalizeTopNRequest({ queries, n: 2, filterItems: new Uint32Array([2, 1]) }, 5, 3)).toThrow(/filterItems must be sorted ascending/);
  });

  it('rejects candidates out of range', () => {
    expect(() => normalizeTopNRequest({ queries, n: 2, candidates: new Uint32Array([1, 5]) }, 5, 3)).toThrow(/candidates\[1\] is item 5 but there are 5 items/);
  });

  it('rejects an exclude indptr of the wrong length', () => {
    expect(() => normalizeTopNRequest({ queries, n: 2, exclude: { indptr: new Uint32Array([0, 1]), indices: new Uint32Array([0]) } }, 5, 3)).toThrow(/exclude.indptr has 2 entries/);
  });
});
