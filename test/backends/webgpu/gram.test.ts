// accumulateGram + reduceGram (shaders/als-gram.wgsl) against a float64 Y^T Y, on the real adapter.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRanges, createStorageBuffer } from '../../../src/backends/webgpu/buffers.js';
import { acquireDevice, type GpuContext } from '../../../src/backends/webgpu/device.js';
import { FactorPages } from '../../../src/backends/webgpu/factor-pages.js';
import { GramPass } from '../../../src/backends/webgpu/gram-pass.js';
import type { LimitOverrides } from '../../../src/backends/webgpu/limits.js';
import { PipelineCache } from '../../../src/backends/webgpu/pipelines.js';
import { randomFactors } from '../../helpers/small-matrices.js';
import { hasAdapter } from './adapter-gate.js';
import { referenceGram } from './reference.js';

/**
 * Allowed |GPU - float64| per Gram element, per summed row. Factors lie in [-1, 1), so each product is
 * at most 1. Float32 sums of n such products drift by about n * 6e-8 in the worst order, and 1e-6 * n
 * (16 ulps per row) covers that with room for the two-level sum (row groups, then slots).
 */
const GRAM_ABS_PER_ROW = 1e-6;

async function gramOnDevice(context: GpuContext, matrix: Float32Array, rows: number, factors: number): Promise<Float32Array> {
  const pages = FactorPages.create(context.device, 'testFactors', matrix, rows, factors, context.limits);
  const gram = createStorageBuffer(context.device, 'testGram', factors * factors * 4);
  const pass = new GramPass(context, new PipelineCache(context.device), factors, [pages.layout]);
  try {
    return await context.scoped('testGram', async () => {
      pass.run(pass.prepare(pages, gram, 'testGramPass'));
      return new Float32Array(await readRanges(context.device, 'testGramReadback', [{ buffer: gram, offset: 0, size: factors * factors * 4 }]));
    });
  } finally {
    pass.destroy();
    pages.destroy();
    gram.destroy();
  }
}

function expectGramClose(actual: Float32Array, expected: Float64Array, rows: number): void {
  let worst = 0;
  for (let k = 0; k < expected.length; k++) worst = Math.max(worst, Math.abs(actual[k] - expected[k]));
  expect(worst).toBeLessThanOrEqual(GRAM_ABS_PER_ROW * Math.max(rows, 1));
}

describe.skipIf(!hasAdapter)('webgpu Gram matrix', () => {
  const contexts: GpuContext[] = [];
  async function context(limits?: LimitOverrides): Promise<GpuContext> {
    const created = await acquireDevice({ limits });
    contexts.push(created);
    return created;
  }
  let defaultContext: GpuContext;

  beforeAll(async () => {
    defaultContext = await context();
  });
  afterAll(() => {
    for (const created of contexts) created.destroy();
  });

  it.each([
    [1000, 37],
    [3, 8],
    [517, 16],
    [64, 1],
  ])('matches float64 for %i rows x %i factors', async (rows, factors) => {
    const matrix = randomFactors(rows, factors, rows + factors);
    expectGramClose(await gramOnDevice(defaultContext, matrix, rows, factors), referenceGram(matrix, rows, factors), rows);
  });

  it('is symmetric bit for bit', async () => {
    const factors = 40;
    const gram = await gramOnDevice(defaultContext, randomFactors(300, factors, 7), 300, factors);
    for (let a = 0; a < factors; a++) {
      for (let b = 0; b < a; b++) expect(gram[a * factors + b]).toBe(gram[b * factors + a]);
    }
  });

  it('gives zeros for a matrix with no rows', async () => {
    const gram = await gramOnDevice(defaultContext, new Float32Array(0), 0, 5);
    expect([...gram]).toEqual(new Array(25).fill(0));
  });

  it('sums over two pages and split dispatches under forced small limits', async () => {
    // 4096-byte bindings hold 127 rows of 8 factors, so 250 rows take two pages; 2 workgroups per
    // dimension split the 1 x 8 grid of each page into several dispatches.
    const small = await context({ maxStorageBufferBindingSize: 4096, maxComputeWorkgroupsPerDimension: 2 });
    const rows = 250;
    const matrix = randomFactors(rows, 8, 3);
    expectGramClose(await gramOnDevice(small, matrix, rows, 8), referenceGram(matrix, rows, 8), rows);
  });
});
