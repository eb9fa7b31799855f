// FitSession.loss on WebGPU (accumulateLoss plus the two Gram matrices) against the loss summed cell
// by cell in float64.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, FitProblem } from '../../../src/backends/backend.js';
import { createWebGpuBackend } from '../../../src/backends/webgpu/create-backend.js';
import { randomFactors, randomSparse } from '../../helpers/small-matrices.js';
import { hasAdapter } from './adapter-gate.js';
import { referenceLoss } from './reference.js';

/**
 * Relative difference allowed between the GPU loss and the cell-by-cell float64 loss. The GPU adds
 * float32 per-row and per-workgroup sums and float32 Gram entries, then combines them in float64.
 * The terms are of similar size and mostly positive, so the relative error stays near float32
 * precision times the log of the term count (about 1e-6). 1e-5 leaves a margin.
 */
const LOSS_RELATIVE = 1e-5;

function makeProblem(nUsers: number, nItems: number, factors: number, seed: number): FitProblem {
  const userItems = randomSparse(nUsers, nItems, 0.2, seed).mapData((value) => 1 + 2 * value);
  return { userItems, itemUsers: userItems.transpose(), factors, userFactors: randomFactors(nUsers, factors, seed + 1, 0.5), itemFactors: randomFactors(nItems, factors, seed + 2, 0.5) };
}

describe.skipIf(!hasAdapter)('webgpu loss', () => {
  let backend: Backend;
  let chunkedBackend: Backend;

  beforeAll(async () => {
    backend = await createWebGpuBackend();
    chunkedBackend = await createWebGpuBackend({ limits: { maxStorageBufferBindingSize: 4096, maxComputeWorkgroupsPerDimension: 2 } });
  });
  afterAll(async () => {
    await backend.dispose();
    await chunkedBackend.dispose();
  });

  // The chunked backend binds 4096 bytes at most: 127 rows of 8 factors per page, two pages at most.
  it.each([
    [40, 30, 8, 0.1, true],
    [17, 50, 33, 0, false],
    [250, 200, 8, 0.5, true],
  ])('matches float64 for %i users x %i items x %i factors, regularization %f', async (nUsers, nItems, factors, regularization, alsoChunked) => {
    const problem = makeProblem(nUsers, nItems, factors, nUsers);
    const expected = referenceLoss(problem.userItems, problem.userFactors, problem.itemFactors, factors, regularization);
    for (const candidate of alsoChunked ? [backend, chunkedBackend] : [backend]) {
      const session = await candidate.startFit(problem);
      const loss = await session.loss(regularization);
      await session.dispose();
      expect(Math.abs(loss - expected)).toBeLessThanOrEqual(LOSS_RELATIVE * expected);
    }
  });

  it('falls after one CG iteration', async () => {
    const problem = makeProblem(60, 40, 8, 3);
    const session = await backend.startFit(problem);
    const before = await session.loss(0.1);
    await session.solve('users', { regularization: 0.1, solver: 'cg', cgSteps: 3 });
    await session.solve('items', { regularization: 0.1, solver: 'cg', cgSteps: 3 });
    const after = await session.loss(0.1);
    await session.dispose();
    expect(after).toBeLessThan(before);
  });
});
