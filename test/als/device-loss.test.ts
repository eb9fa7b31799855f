// A model on device 'auto' whose GPU is lost mid-fit moves to the CPU workers and finishes the fit.

import { describe, expect, it, vi } from 'vitest';
import type { Backend, FitSession } from '../../src/backends/backend.js';
import { createCpuBackend } from '../../src/backends/cpu/index.js';
import { DeviceError } from '../../src/errors.js';
import { randomSparse } from '../helpers/small-matrices.js';

vi.mock('../../src/backends/select.js', () => ({
  selectBackend: async (options: { device?: string; threads?: number }) => {
    const cpu = await createCpuBackend({ threads: options.threads });
    if (options.device === 'cpu') return { backend: cpu, reason: 'device "cpu" was requested' };

    // A stand-in GPU backend whose device is lost on the fifth solve call.
    let solves = 0;
    const gpu: Backend = {
      info: { ...cpu.info, kind: 'webgpu', description: 'stand-in GPU' },
      async startFit(problem): Promise<FitSession> {
        const session = await cpu.startFit(problem);
        return {
          solve: async (side, params) => {
            solves++;
            if (solves === 5) throw new DeviceError('device_lost', 'the WebGPU device was lost (test)');
            return session.solve(side, params);
          },
          loss: (regularization) => session.loss(regularization),
          readFactors: (side) => session.readFactors(side),
          writeFactors: (side, factors) => session.writeFactors(side, factors),
          dispose: () => session.dispose(),
        };
      },
      createScorer: (itemFactors, factors) => cpu.createScorer(itemFactors, factors),
      dispose: () => cpu.dispose(),
    };
    return { backend: gpu, reason: 'stand-in hardware adapter' };
  },
}));

const { AlternatingLeastSquares } = await import('../../src/als/index.js');

describe('device loss with device auto', () => {
  it('finishes the fit on the cpu', async () => {
    const model = new AlternatingLeastSquares({ factors: 4, iterations: 6, seed: 1, device: 'auto', threads: 1 });
    try {
      await model.fit(randomSparse(25, 15, 0.25, 3));
      expect(model.backendInfo?.kind).toBe('cpu');
      expect(model.backendInfo?.reason).toContain('device was lost');
      expect(model.userFactors.every(Number.isFinite)).toBe(true);
      expect(await model.recommend('0', { n: 3 })).toHaveLength(3);
    } finally {
      await model.dispose();
    }
  });

  it('fails the fit with device webgpu', async () => {
    const model = new AlternatingLeastSquares({ factors: 4, iterations: 6, seed: 1, device: 'webgpu', threads: 1 });
    try {
      await expect(model.fit(randomSparse(25, 15, 0.25, 3))).rejects.toMatchObject({ code: 'device_lost' });
    } finally {
      await model.dispose();
    }
  });
});
