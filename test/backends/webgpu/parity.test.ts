// WebGPU vs the CPU backend on the same input: factors after one ALS iteration, training loss and
// top-N lists.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, FitProblem, SolveParams, TopNResult } from '../../../src/backends/backend.js';
import { createCpuBackend } from '../../../src/backends/cpu/index.js';
import { createWebGpuBackend } from '../../../src/backends/webgpu/create-backend.js';
import { randomFactors, randomSparse } from '../../helpers/small-matrices.js';
import { hasAdapter } from './adapter-gate.js';

/**
 * Factor agreement after one iteration, per value: |gpu - cpu| <= PARITY_ABS + PARITY_RELATIVE * max
 * |cpu| of the row. The CPU runs CG in float64 and the GPU in float32 with another summation order.
 * The item half-step also starts from user factors that already differ by that rounding, and CG
 * scales input differences by the condition number (about 1e2 here). The worst difference measured on
 * these inputs with lavapipe was 4e-6 relative, so 1e-4 leaves a margin of 25 and still catches a
 * wrong term, which moves factors by 1e-2 or more.
 */
const PARITY_RELATIVE = 1e-4;
const PARITY_ABS = 1e-5;
/** Relative loss agreement: both compute the same sum, float32 terms on the GPU (see loss.test.ts). */
const PARITY_LOSS_RELATIVE = 1e-5;
/** Scores of the same item may differ by float32 rounding of an 8-term dot; items this close count as tied. */
const PARITY_SCORE_ABS = 1e-5;

const params: SolveParams = { regularization: 0.1, solver: 'cg', cgSteps: 3 };

function expectFactorsClose(gpu: Float32Array, cpu: Float32Array, factors: number, label: string): void {
  for (let row = 0; row < cpu.length / factors; row++) {
    let scale = 0;
    for (let f = 0; f < factors; f++) scale = Math.max(scale, Math.abs(cpu[row * factors + f]));
    for (let f = 0; f < factors; f++) {
      const k = row * factors + f;
      if (Math.abs(gpu[k] - cpu[k]) > PARITY_ABS + PARITY_RELATIVE * scale) expect.fail(`${label} row ${row} factor ${f}: webgpu ${gpu[k]} vs cpu ${cpu[k]}`);
    }
  }
}

/** Rankings agree when every position has the same item or one tied with it within PARITY_SCORE_ABS. */
function expectRankingsAgree(gpu: TopNResult, cpu: TopNResult): void {
  expect(gpu.n).toBe(cpu.n);
  for (let k = 0; k < cpu.ids.length; k++) {
    if (gpu.ids[k] === cpu.ids[k]) {
      if (cpu.ids[k] >= 0) expect(Math.abs(gpu.scores[k] - cpu.scores[k]), `entry ${k} score`).toBeLessThanOrEqual(PARITY_SCORE_ABS);
      continue;
    }
    expect(gpu.ids[k], `entry ${k}: one side padded`).toBeGreaterThanOrEqual(0);
    expect(cpu.ids[k], `entry ${k}: one side padded`).toBeGreaterThanOrEqual(0);
    expect(Math.abs(gpu.scores[k] - cpu.scores[k]), `entry ${k}: items ${gpu.ids[k]} and ${cpu.ids[k]} are not tied`).toBeLessThanOrEqual(PARITY_SCORE_ABS);
  }
}

async function oneIteration(backend: Backend, problem: FitProblem): Promise<{ users: Float32Array; items: Float32Array; loss: number }> {
  const session = await backend.startFit(problem);
  try {
    await session.solve('users', params);
    await session.solve('items', params);
    return { users: await session.readFactors('users'), items: await session.readFactors('items'), loss: await session.loss(params.regularization) };
  } finally {
    await session.dispose();
  }
}

describe.skipIf(!hasAdapter)('webgpu parity with the cpu backend', () => {
  let gpu: Backend;
  let cpu: Backend;

  beforeAll(async () => {
    gpu = await createWebGpuBackend();
    cpu = await createCpuBackend({ threads: 2 });
  });
  afterAll(async () => {
    await gpu.dispose();
    await cpu.dispose();
  });

  it.each([
    [80, 60, 8],
    [50, 40, 37],
  ])('factors agree after one iteration (%i users, %i items, %i factors)', async (nUsers, nItems, factors) => {
    const userItems = randomSparse(nUsers, nItems, 0.15, factors).mapData((value) => 1 + 4 * value);
    const problem: FitProblem = {
      userItems,
      itemUsers: userItems.transpose(),
      factors,
      userFactors: randomFactors(nUsers, factors, 1, 0.1),
      itemFactors: randomFactors(nItems, factors, 2, 0.1),
    };
    const fromGpu = await oneIteration(gpu, problem);
    const fromCpu = await oneIteration(cpu, problem);
    expectFactorsClose(fromGpu.users, fromCpu.users, factors, 'users');
    expectFactorsClose(fromGpu.items, fromCpu.items, factors, 'items');
    expect(Math.abs(fromGpu.loss - fromCpu.loss)).toBeLessThanOrEqual(PARITY_LOSS_RELATIVE * fromCpu.loss);
  });

  it('top-N lists agree', async () => {
    const factors = 8;
    const items = randomFactors(500, factors, 3);
    const queries = randomFactors(40, factors, 4);
    const filterItems = Uint32Array.from({ length: 25 }, (_, k) => k * 7);
    const indptr = Uint32Array.from({ length: 41 }, (_, q) => q * 3);
    const indices = Uint32Array.from({ length: 120 }, (_, k) => (k * 37) % 500);
    const request = { queries, n: 20, filterItems, exclude: { indptr, indices } };
    const gpuScorer = await gpu.createScorer(items, factors);
    const cpuScorer = await cpu.createScorer(items, factors);
    expectRankingsAgree(await gpuScorer.topN(request), await cpuScorer.topN(request));
    const candidates = Uint32Array.from({ length: 30 }, (_, k) => k * 13);
    expectRankingsAgree(await gpuScorer.topN({ queries, n: 35, candidates }), await cpuScorer.topN({ queries, n: 35, candidates }));
    await gpuScorer.dispose();
    await cpuScorer.dispose();
  });
});
