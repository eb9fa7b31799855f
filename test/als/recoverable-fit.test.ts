// A fit survives a lost GPU device: it goes on from the last host copy of the factors on another
// backend and ends with the factors an uninterrupted fit gives.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Backend, FitProblem, FitSession } from '../../src/backends/backend.js';
import { createCpuBackend } from '../../src/backends/cpu/index.js';
import { runRecoverableFit } from '../../src/als/recoverable-fit.js';
import { DeviceError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { randomFactors, randomSparse } from '../helpers/small-matrices.js';

/** Wraps `inner` so that its first fit session loses the device on the `failAt`-th solve call. */
function flakyBackend(inner: Backend, failAt: number): Backend & { solves: number } {
  let failed = false;
  const flaky = {
    solves: 0,
    info: { ...inner.info, kind: 'webgpu' as const, description: 'flaky test device' },
    async startFit(problem: FitProblem): Promise<FitSession> {
      const session = await inner.startFit(problem);
      return {
        ...session,
        solve: async (side, params) => {
          flaky.solves++;
          if (!failed && flaky.solves === failAt) {
            failed = true;
            throw new DeviceError('device_lost', 'the WebGPU device was lost (test)');
          }
          return session.solve(side, params);
        },
        loss: (regularization) => session.loss(regularization),
        readFactors: (side) => session.readFactors(side),
        writeFactors: (side, factors) => session.writeFactors(side, factors),
        dispose: () => session.dispose(),
      };
    },
    createScorer: (itemFactors: Float32Array, factors: number) => inner.createScorer(itemFactors, factors),
    dispose: async () => undefined,
  };
  return flaky;
}

describe('runRecoverableFit', () => {
  let cpu: Backend;
  const userItems = randomSparse(30, 20, 0.2, 5).mapData((value) => 1 + value);
  const factors = 4;
  const problem: FitProblem = {
    userItems,
    itemUsers: userItems.transpose(),
    factors,
    userFactors: randomFactors(30, factors, 1, 0.01),
    itemFactors: randomFactors(20, factors, 2, 0.01),
  };
  const loop = { iterations: 8, regularization: 0.1, solver: 'cg' as const, cgSteps: 3, calculateTrainingLoss: true, logger: silentLogger };

  beforeAll(async () => {
    cpu = await createCpuBackend({ threads: 2 });
  });
  afterAll(async () => {
    await cpu.dispose();
  });

  it('resumes from the checkpoint after a device loss', async () => {
    const reference = await runRecoverableFit({ backend: cpu, problem, loop });

    // Solve call 15 is the users half of iteration 8, after the checkpoint at iteration 5.
    const flaky = flakyBackend(cpu, 15);
    const replaceBackend = vi.fn(async () => cpu);
    const recovered = await runRecoverableFit({ backend: flaky, problem, loop, replaceBackend, checkpointEvery: 5 });

    expect(replaceBackend).toHaveBeenCalledTimes(1);
    expect(recovered.backend).toBe(cpu);
    expect(recovered.userFactors).toEqual(reference.userFactors);
    expect(recovered.itemFactors).toEqual(reference.itemFactors);
    expect(recovered.losses).toHaveLength(8);
    expect(recovered.losses).toEqual(reference.losses);
  });

  it('fails the fit when no replacement is offered', async () => {
    const flaky = flakyBackend(cpu, 3);
    await expect(runRecoverableFit({ backend: flaky, problem, loop })).rejects.toMatchObject({ code: 'device_lost' });
  });

  it('passes other errors through', async () => {
    const broken: Backend = {
      ...cpu,
      info: cpu.info,
      startFit: async (fitProblem) => {
        const session = await cpu.startFit(fitProblem);
        return { ...session, solve: async () => Promise.reject(new DeviceError('gpu_validation', 'validation failed (test)')), dispose: () => session.dispose() };
      },
      createScorer: (itemFactors, count) => cpu.createScorer(itemFactors, count),
      dispose: async () => undefined,
    };
    const replaceBackend = vi.fn(async () => cpu);
    await expect(runRecoverableFit({ backend: broken, problem, loop, replaceBackend })).rejects.toMatchObject({ code: 'gpu_validation' });
    expect(replaceBackend).not.toHaveBeenCalled();
  });
});
