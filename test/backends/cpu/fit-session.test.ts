// CPU-specific fit session behaviour: the worker split, shared buffers and error reporting.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, FitArrayConstructor, FitProblem } from '../../../src/backends/backend.js';
import { createCpuBackend } from '../../../src/backends/cpu/index.js';
import { CsrMatrix } from '../../../src/csr/csr-matrix.js';
import { NumericError } from '../../../src/errors.js';
import { csrFromDense, randomFactors, randomSparse } from '../../helpers/small-matrices.js';

function problemFor(seed: number, nUsers = 300, nItems = 120, factors = 8): FitProblem {
  const userItems = randomSparse(nUsers, nItems, 0.05, seed).mapData((value) => 1 + 2 * value);
  return {
    userItems,
    itemUsers: userItems.transpose(),
    factors,
    userFactors: randomFactors(nUsers, factors, seed + 1, 0.01),
    itemFactors: randomFactors(nItems, factors, seed + 2, 0.01),
  };
}

/** Copies every array of `problem` into arrays from the backend's allocateFitArray; fails without one. */
function copyIntoBackend(backend: Backend, problem: FitProblem): FitProblem {
  const lend = <T extends Float32Array | Uint32Array>(source: T): T => {
    const array = backend.allocateFitArray?.(source.constructor as FitArrayConstructor<T>, source.length);
    if (array === undefined) throw new Error('the backend returned no fit array; expected the WebAssembly arena');
    array.set(source);
    return array;
  };
  const inBackend = (matrix: CsrMatrix): CsrMatrix =>
    new CsrMatrix({ indptr: lend(matrix.indptr), indices: lend(matrix.indices), data: lend(matrix.data), shape: matrix.shape });
  return {
    userItems: inBackend(problem.userItems),
    itemUsers: inBackend(problem.itemUsers),
    factors: problem.factors,
    userFactors: lend(problem.userFactors),
    itemFactors: lend(problem.itemFactors),
  };
}

/** Runs three iterations with the given solver and returns both factor matrices and the loss. */
async function fitThree(backend: Backend, problem: FitProblem, solver: 'cg' | 'cholesky') {
  const session = await backend.startFit(problem);
  try {
    for (let iteration = 0; iteration < 3; iteration++) {
      await session.solve('users', { regularization: 0.1, solver, cgSteps: 3 });
      await session.solve('items', { regularization: 0.1, solver, cgSteps: 3 });
    }
    return { users: await session.readFactors('users'), items: await session.readFactors('items'), loss: await session.loss(0.1) };
  } finally {
    await session.dispose();
  }
}

describe('cpu fit session', () => {
  let single: Backend;
  let pair: Backend;

  beforeAll(async () => {
    [single, pair] = await Promise.all([createCpuBackend({ threads: 1 }), createCpuBackend({ threads: 2 })]);
  });

  afterAll(async () => {
    await Promise.all([single.dispose(), pair.dispose()]);
  });

  it('reports its thread count', () => {
    expect(pair.info).toEqual({ kind: 'cpu', description: 'cpu: 2 worker threads', threads: 2 });
  });

  it.each(['cg', 'cholesky'] as const)('gives identical %s results on 1 and 2 threads', async (solver) => {
    const problem = problemFor(11);
    const [one, two] = await Promise.all([fitThree(single, problem, solver), fitThree(pair, problem, solver)]);
    expect(two.users).toEqual(one.users);
    expect(two.items).toEqual(one.items);
    expect(two.loss).toBe(one.loss);
  });

  it('leaves the caller’s initial factors untouched', async () => {
    const problem = problemFor(3, 20, 10, 4);
    const before = problem.userFactors.slice();
    await fitThree(pair, problem, 'cg');
    expect(problem.userFactors).toEqual(before);
  });

  it('replaces factors with writeFactors', async () => {
    const problem = problemFor(4, 6, 5, 2);
    const session = await pair.startFit(problem);
    const replacement = Float32Array.from({ length: 10 }, (_, k) => k);
    await session.writeFactors('items', replacement);
    expect(await session.readFactors('items')).toEqual(replacement);
    await expect(session.writeFactors('items', new Float32Array(3))).rejects.toThrowErrorMatchingInlineSnapshot(
      `[InputError: items factors have 3 values, expected 10 (5 rows x 2 factors)]`,
    );
    await session.dispose();
  });

  it('raises NumericError naming the row with an infinite confidence', async () => {
    const problem = problemFor(5, 40, 30, 4);
    const row = 29;
    const data = problem.userItems.data.slice();
    expect(problem.userItems.rowLength(row)).toBeGreaterThan(0);
    data[problem.userItems.indptr[row]] = Infinity;
    // validate: false, because CsrMatrix itself rejects non-finite values; the backend must not rely on that.
    const userItems = new CsrMatrix({ indptr: problem.userItems.indptr, indices: problem.userItems.indices, data, shape: problem.userItems.shape }, { validate: false });
    const session = await pair.startFit({ ...problem, userItems, itemUsers: userItems.transpose() });
    const error = await session.solve('users', { regularization: 0.1, solver: 'cg', cgSteps: 3 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NumericError);
    expect((error as NumericError).code).toBe('non_finite_factors');
    expect((error as NumericError).details.row).toBe(row);
    expect((error as Error).message).toMatchInlineSnapshot(
      `"the cg solve produced non-finite factors for user row 29 (regularization 0.1); raise regularization, or scale down extreme confidence values"`,
    );
    await session.dispose();
  });

  it('raises NumericError when Cholesky meets a singular system', async () => {
    // Both items have the factor direction (1, 1), so with regularization 0 every user's system has rank 1.
    const userItems = csrFromDense([
      [1, 0],
      [2, 3],
    ]);
    const session = await pair.startFit({
      userItems,
      itemUsers: userItems.transpose(),
      factors: 2,
      userFactors: new Float32Array(4),
      itemFactors: Float32Array.from([1, 1, 2, 2]),
    });
    const error = await session.solve('users', { regularization: 0, solver: 'cholesky', cgSteps: 3 }).catch((caught: unknown) => caught);
    expect((error as NumericError).code).toBe('not_positive_definite');
    expect((error as Error).message).toMatchInlineSnapshot(
      `"the Cholesky solve failed on user row 0: its normal equations are not positive definite with regularization 0; raise regularization above 0"`,
    );
    await session.dispose();
  });

  it('fits arrays from allocateFitArray in place', async () => {
    const problem = problemFor(12, 40, 30, 4);
    const expected = await fitThree(pair, problem, 'cg');
    const inArena = copyIntoBackend(pair, problem);

    const session = await pair.startFit(inArena);
    for (let iteration = 0; iteration < 3; iteration++) {
      await session.solve('users', { regularization: 0.1, solver: 'cg', cgSteps: 3 });
      await session.solve('items', { regularization: 0.1, solver: 'cg', cgSteps: 3 });
    }
    const users = session.takeFactors?.('users');
    const items = session.takeFactors?.('items');
    await session.dispose();

    // The session updated the lent initial factors themselves and handed them back without a copy.
    expect(users).toBe(inArena.userFactors);
    expect(items).toBe(inArena.itemFactors);
    expect(users).toEqual(expected.users);
    expect(items).toEqual(expected.items);
    pair.releaseFitArray?.(users as Float32Array);
    pair.releaseFitArray?.(items as Float32Array);
  });

  it('rejects mismatched matrices before uploading', async () => {
    const problem = problemFor(6, 5, 4, 2);
    const userItems = csrFromDense([
      [1, 0, 2, 0],
      [0, 1, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 1, 0],
      [3, 0, 0, 1],
    ]);
    await expect(pair.startFit({ ...problem, userItems, itemUsers: userItems })).rejects.toThrowErrorMatchingInlineSnapshot(
      `[InputError: itemUsers is 5 x 4 with 6 values but userItems is 5 x 4 with 6; pass userItems.transpose() as itemUsers]`,
    );
  });
});
