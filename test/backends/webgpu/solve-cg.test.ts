// solveRowsCg (shaders/als-solve-cg.wgsl) through WebGpuFitSession.solve, against the same CG steps
// run in float64 on the host.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, FitProblem, SolveParams } from '../../../src/backends/backend.js';
import { createWebGpuBackend, type WebGpuBackendOptions } from '../../../src/backends/webgpu/create-backend.js';
import { CsrMatrix } from '../../../src/csr/csr-matrix.js';
import { NumericError } from '../../../src/errors.js';
import { randomFactors, randomSparse } from '../../helpers/small-matrices.js';
import { hasAdapter } from './adapter-gate.js';
import { referenceCgSolve } from './reference.js';

/**
 * CG on the GPU vs float64, per factor: |GPU - float64| <= CG_ABS + CG_RELATIVE * max |float64| of
 * the row. The GPU sums in float32 in a tree order. Each CG step divides by p.Ap, which scales the
 * rounding of the dots by the system's condition number (about 1e2 for these random problems with
 * regularization 0.1). So 1e-4 relative stays well above float32 noise (6e-8 * 1e2) and well below
 * the 1e-2 that a wrong term produces.
 */
const CG_RELATIVE = 1e-4;
const CG_ABS = 1e-6;

const cgParams: SolveParams = { regularization: 0.1, solver: 'cg', cgSteps: 3 };

function makeProblem(nUsers: number, nItems: number, factors: number, density: number, seed: number): FitProblem {
  const userItems = randomSparse(nUsers, nItems, density, seed);
  return {
    userItems,
    itemUsers: userItems.transpose(),
    factors,
    userFactors: randomFactors(nUsers, factors, seed + 1, 0.1),
    itemFactors: randomFactors(nItems, factors, seed + 2, 0.1),
  };
}

function expectRowsClose(actual: Float32Array, expected: Float64Array, factors: number): void {
  for (let row = 0; row < expected.length / factors; row++) {
    let scale = 0;
    for (let f = 0; f < factors; f++) scale = Math.max(scale, Math.abs(expected[row * factors + f]));
    for (let f = 0; f < factors; f++) {
      const k = row * factors + f;
      if (Math.abs(actual[k] - expected[k]) > CG_ABS + CG_RELATIVE * scale) {
        expect.fail(`row ${row} factor ${f}: GPU ${actual[k]} vs float64 ${expected[k]} (row scale ${scale})`);
      }
    }
  }
}

/** Solves users then items once on `backend` and checks both against the float64 reference. */
async function checkOneIteration(backend: Backend, problem: FitProblem, params: SolveParams = cgParams): Promise<Float32Array[]> {
  const session = await backend.startFit(problem);
  try {
    await session.solve('users', params);
    const users = await session.readFactors('users');
    expectRowsClose(users, referenceCgSolve(problem.userItems, problem.userFactors, problem.itemFactors, problem.factors, params.regularization, params.cgSteps), problem.factors);
    await session.solve('items', params);
    const items = await session.readFactors('items');
    expectRowsClose(items, referenceCgSolve(problem.itemUsers, problem.itemFactors, users, problem.factors, params.regularization, params.cgSteps), problem.factors);
    return [users, items];
  } finally {
    await session.dispose();
  }
}

describe.skipIf(!hasAdapter)('webgpu CG solve', () => {
  const backends: Backend[] = [];
  let backend: Backend;
  async function create(options?: WebGpuBackendOptions): Promise<Backend> {
    const created = await createWebGpuBackend(options);
    backends.push(created);
    return created;
  }

  beforeAll(async () => {
    backend = await create();
  });
  afterAll(async () => {
    for (const created of backends) await created.dispose();
  });

  it.each([
    ['8 factors', 8],
    ['37 factors, not a multiple of the lanes', 37],
    ['130 factors, two per lane', 130],
  ])('matches float64 with %s', async (_name, factors) => {
    await checkOneIteration(backend, makeProblem(30, 25, factors, 0.2, factors));
  });

  it('matches float64 with long rows spanning many item tiles', async () => {
    // Only the user side: each of the 120 item rows then has at most 6 users for 16 factors, a
    // system with condition number near 1e4, where float32 CG legitimately drifts from float64.
    const problem = makeProblem(6, 120, 16, 0.9, 5);
    const params = { ...cgParams, cgSteps: 5 };
    const session = await backend.startFit(problem);
    await session.solve('users', params);
    const users = await session.readFactors('users');
    await session.dispose();
    expectRowsClose(users, referenceCgSolve(problem.userItems, problem.userFactors, problem.itemFactors, 16, params.regularization, params.cgSteps), 16);
  });

  it('user row with no items gets zero factors', async () => {
    const problem = makeProblem(12, 10, 6, 0.3, 11);
    const indptr = problem.userItems.indptr.slice();
    // Drop user 4's entries by rebuilding the CSR without them.
    const keep = Array.from(problem.userItems.indices.keys()).filter((k) => k < indptr[4] || k >= indptr[5]);
    for (let row = 5; row <= 12; row++) indptr[row] -= problem.userItems.rowLength(4);
    indptr[5] = indptr[4];
    const userItems = new CsrMatrix({
      indptr,
      indices: Uint32Array.from(keep, (k) => problem.userItems.indices[k]),
      data: Float32Array.from(keep, (k) => problem.userItems.data[k]),
      shape: [12, 10],
    });
    const [users] = await checkOneIteration(backend, { ...problem, userItems, itemUsers: userItems.transpose() });
    expect([...users.subarray(4 * 6, 5 * 6)]).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('zero CG steps keeps the factors of non-empty rows', async () => {
    const problem = makeProblem(10, 8, 4, 0.5, 13);
    const session = await backend.startFit(problem);
    await session.solve('users', { ...cgParams, cgSteps: 0 });
    const users = await session.readFactors('users');
    await session.dispose();
    for (let row = 0; row < 10; row++) {
      const expected = problem.userItems.rowLength(row) === 0 ? new Array(4).fill(0) : [...problem.userFactors.subarray(row * 4, row * 4 + 4)];
      expect([...users.subarray(row * 4, row * 4 + 4)]).toEqual(expected);
    }
  });

  it('chunked bindings and split dispatches agree with unchunked', async () => {
    // 4096-byte bindings: 127 rows of 8 factors per page, so 200 users take two pages and the CSR
    // ranges are bound in pieces; 7 workgroups per dimension make about 30 dispatches per side.
    const problem = makeProblem(200, 150, 8, 0.05, 17);
    const reference = await checkOneIteration(backend, problem);
    const chunked = await checkOneIteration(await create({ limits: { maxStorageBufferBindingSize: 4096, maxComputeWorkgroupsPerDimension: 7 } }), problem);
    // The Gram sums group rows differently under the small limits, so agreement is to rounding, not bits.
    expectRowsClose(chunked[0], Float64Array.from(reference[0]), 8);
    expectRowsClose(chunked[1], Float64Array.from(reference[1]), 8);
  });

  it('splits more than 65535 rows into several dispatches', async () => {
    // 70,000 users, every 10th with two items: one workgroup per row exceeds the 65,535 workgroups a
    // dispatch may have, so the solve needs two dispatches.
    const nUsers = 70_000;
    const nItems = 5;
    const indptr = new Uint32Array(nUsers + 1);
    const indices: number[] = [];
    for (let user = 0; user < nUsers; user++) {
      if (user % 10 === 0) indices.push(user % nItems, (user + 1) % nItems);
      indptr[user + 1] = indices.length;
    }
    const userItems = new CsrMatrix({ indptr, indices: Uint32Array.from(indices), data: new Float32Array(indices.length).fill(3), shape: [nUsers, nItems] });
    const problem: FitProblem = { userItems, itemUsers: userItems.transpose(), factors: 2, userFactors: randomFactors(nUsers, 2, 1, 0.1), itemFactors: randomFactors(nItems, 2, 2, 0.1) };
    const session = await backend.startFit(problem);
    await session.solve('users', cgParams);
    const users = await session.readFactors('users');
    await session.dispose();
    expectRowsClose(users, referenceCgSolve(userItems, problem.userFactors, problem.itemFactors, 2, cgParams.regularization, cgParams.cgSteps), 2);
  });

  it('non-finite factors raise NumericError naming the first row', async () => {
    const problem = makeProblem(10, 6, 4, 1, 19);
    problem.itemFactors[2 * 4 + 1] = Number.NaN;
    const session = await backend.startFit(problem);
    const failure = await session.solve('users', cgParams).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(NumericError);
    expect((failure as NumericError).code).toBe('non_finite_factors');
    expect((failure as NumericError).message).toMatch(/solving users gave non-finite factors in 10 rows, first at user row 0/);
    await session.dispose();
  });

  it('cholesky solves exactly on the host', async () => {
    // 60 CG steps on 6 factors reach the exact solution in float64, so the two must agree.
    const problem = makeProblem(20, 15, 6, 0.3, 23);
    const warnings: string[] = [];
    const logging = await create({ logger: { debug() {}, info() {}, warn: (message) => warnings.push(message), error() {} } });
    const session = await logging.startFit(problem);
    await session.solve('users', { ...cgParams, solver: 'cholesky' });
    await session.solve('users', { ...cgParams, solver: 'cholesky' });
    const users = await session.readFactors('users');
    await session.dispose();
    expectRowsClose(users, referenceCgSolve(problem.userItems, problem.userFactors, problem.itemFactors, 6, cgParams.regularization, 60), 6);
    expect(warnings.filter((message) => message.includes('solver "cholesky" runs on the host'))).toHaveLength(1);
  });

  it('cholesky reports a singular row', async () => {
    // Two items cannot determine 4 factors without regularization.
    const problem = makeProblem(3, 2, 4, 1, 29);
    const session = await backend.startFit(problem);
    const failure = await session.solve('users', { ...cgParams, regularization: 0, solver: 'cholesky' }).catch((error: unknown) => error);
    await session.dispose();
    expect(failure).toBeInstanceOf(NumericError);
    expect((failure as NumericError).code).toBe('not_positive_definite');
    expect((failure as NumericError).message).toMatch(/^the Cholesky solve failed on user row 0/);
  });
});
