// The fit input built in place: the same confidence, transpose and initial factors as the host path.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFitProblem } from '../../src/als/fit-problem.js';
import { initialFactors } from '../../src/als/init-factors.js';
import { normalizeFitData, toConfidence } from '../../src/als/input.js';
import type { Backend } from '../../src/backends/backend.js';
import { createCpuBackend } from '../../src/backends/cpu/index.js';
import { CsrMatrix } from '../../src/csr/csr-matrix.js';
import { Random } from '../../src/random.js';
import { randomSparse } from '../helpers/small-matrices.js';

const interactions = normalizeFitData(randomSparse(30, 20, 0.2, 5));
const alpha = 3;
const factors = 4;

/** Wraps `backend` without its fit memory methods, as the WebGPU backend has none. */
function hostOnly(backend: Backend): Backend {
  return { info: backend.info, startFit: (problem) => backend.startFit(problem), createScorer: (f, n) => backend.createScorer(f, n), dispose: async () => {} };
}

describe('buildFitProblem', () => {
  let backend: Backend;

  beforeAll(async () => {
    backend = await createCpuBackend({ threads: 1 });
  });

  afterAll(async () => {
    await backend.dispose();
  });

  it.each(['arena', 'host'] as const)('matches toConfidence, transpose and initialFactors (%s)', (where) => {
    const target = where === 'arena' ? backend : hostOnly(backend);
    const { problem, allocated } = buildFitProblem({ interactions, alpha, factors, random: new Random(9), backend: target });
    const confidence = toConfidence(interactions, alpha);
    const random = new Random(9);

    expect(problem.userItems).toEqual(confidence);
    expect(problem.itemUsers).toEqual(confidence.transpose());
    expect(problem.userFactors).toEqual(initialFactors(30, factors, random));
    expect(problem.itemFactors).toEqual(initialFactors(20, factors, random));
    expect(allocated).toHaveLength(where === 'arena' ? 8 : 0);
    for (const array of allocated) backend.releaseFitArray?.(array);
  });

  it('uses index arrays already in fit memory in place', () => {
    const { indptr, indices, data, shape } = interactions.userItems;
    const lend = (array: Uint32Array): Uint32Array => {
      const lent = backend.allocateFitArray?.(Uint32Array, array.length) as Uint32Array;
      lent.set(array);
      return lent;
    };
    const userItems = new CsrMatrix({ indptr: lend(indptr), indices: lend(indices), data, shape });
    const { problem, allocated } = buildFitProblem({ interactions: { ...interactions, userItems }, alpha, factors, random: new Random(1), backend });

    expect(problem.userItems.indptr).toBe(userItems.indptr);
    expect(problem.userItems.indices).toBe(userItems.indices);
    expect(allocated).toHaveLength(6);
    for (const array of [...allocated, userItems.indptr, userItems.indices]) backend.releaseFitArray?.(array);
  });

  it('rejects a negative value', () => {
    const negative = new CsrMatrix({ indptr: [0, 1], indices: [0], data: [-1], shape: [1, 1] });
    const input = normalizeFitData(negative);
    expect(() => buildFitProblem({ interactions: input, alpha, factors, random: new Random(1), backend })).toThrow('is negative');
  });
});
