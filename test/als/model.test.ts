// Model plumbing that does not depend on the backend: input checks, errors, lifecycle.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlternatingLeastSquares } from '../../src/als/index.js';
import type { Backend, FitSession } from '../../src/backends/backend.js';
import { createCpuBackend } from '../../src/backends/cpu/index.js';
import type { WasmRuntime } from '../../src/backends/cpu/wasm-runtime.js';
import { IdMap } from '../../src/csr/id-map.js';
import { NumericError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import { csrFromDense } from '../helpers/small-matrices.js';

const userItems = csrFromDense([
  [1, 0, 2],
  [0, 3, 0],
]);
const interactions = { userIds: new IdMap(['ann', 'bob']), itemIds: new IdMap(['x', 'y', 'z']), userItems };

/** Wraps `inner` so that every user solve fails on row 1, as a kernel reports it. */
function failingBackend(inner: Backend): Backend {
  return {
    info: inner.info,
    createScorer: (itemFactors, factors) => inner.createScorer(itemFactors, factors),
    dispose: async () => {},
    async startFit(problem) {
      const session = await inner.startFit(problem);
      const failing: FitSession = {
        ...session,
        solve: async () => {
          throw new NumericError('non_finite_factors', 'the cg solve produced non-finite factors for user row 1', { side: 'users', row: 1 });
        },
        loss: (regularization) => session.loss(regularization),
        readFactors: (side) => session.readFactors(side),
        writeFactors: (side, factors) => session.writeFactors(side, factors),
        dispose: () => session.dispose(),
      };
      return failing;
    },
  };
}

describe('AlternatingLeastSquares', () => {
  let backend: Backend;

  beforeAll(async () => {
    backend = await createCpuBackend({ threads: 1 });
  });

  afterAll(async () => {
    await backend.dispose();
  });

  it('keeps ids, factors and the training matrix after fit', async () => {
    const model = new AlternatingLeastSquares({ factors: 2, iterations: 2, seed: 1, backend });
    await model.fit(interactions);
    expect(model.isFitted).toBe(true);
    expect(model.userFactors).toHaveLength(4);
    expect(model.itemFactors).toHaveLength(6);
    expect(model.userIds.idAt(1)).toBe('bob');
    expect(model.userItems).toBe(userItems);
    expect(model.backendInfo).toEqual({ ...backend.info, reason: 'the caller passed options.backend' });
    await model.dispose();
  });

  it('names ids for a bare matrix by index', async () => {
    const model = new AlternatingLeastSquares({ factors: 2, iterations: 1, seed: 1, backend });
    await model.fit(userItems);
    expect(model.itemIds.toArray()).toEqual(['0', '1', '2']);
    await model.dispose();
  });

  it('draws and records a seed when none is given', async () => {
    const model = new AlternatingLeastSquares({ factors: 2, iterations: 1, backend });
    await model.fit(userItems);
    expect(Number.isInteger(model.seed)).toBe(true);
    await model.dispose();
  });

  it('rejects ids that do not match the matrix', async () => {
    const model = new AlternatingLeastSquares({ factors: 2, backend });
    await expect(model.fit({ ...interactions, itemIds: new IdMap(['x']) })).rejects.toThrowErrorMatchingInlineSnapshot(`[InputError: userItems is 2 x 3 but 2 user ids and 1 item ids were given; pass one CSR row per user id and one column per item id]`);
  });

  it('rejects a matrix without users or items', async () => {
    const model = new AlternatingLeastSquares({ factors: 2, backend });
    await expect(model.fit(csrFromDense([], 3))).rejects.toThrowErrorMatchingInlineSnapshot(`[InputError: userItems is 0 x 3; fit() needs at least one user and one item]`);
  });

  it('rejects overflowing and negative values', async () => {
    const model = new AlternatingLeastSquares({ factors: 2, alpha: 10, backend });
    const huge = csrFromDense([[1, 0, 3e38]]);
    await expect(model.fit({ userIds: new IdMap(['ann']), itemIds: interactions.itemIds, userItems: huge })).rejects.toThrowErrorMatchingInlineSnapshot(`[InputError: value 3.0000000054977558e+38 of user "ann" for item "z" gives confidence 1 + alpha * value = Infinity (alpha 10, float32), but confidence must be finite and > 0; pass non-negative values small enough to keep it finite]`);
    const negative = csrFromDense([[-0.5, 0, 1]]);
    await expect(new AlternatingLeastSquares({ alpha: 4, backend }).fit(negative)).rejects.toThrowErrorMatchingInlineSnapshot(`[InputError: value -0.5 of user "0" for item "0" is negative, but ALS reads values as interaction strengths >= 0, where 0 means no interaction; drop or clip negative values first]`);
  });

  it('names the user id of a failed row', async () => {
    const model = new AlternatingLeastSquares({ factors: 2, backend: failingBackend(backend) });
    const error = await model.fit(interactions).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NumericError);
    expect((error as NumericError).details.id).toBe('bob');
    expect((error as Error).message).toMatchInlineSnapshot(`"the cg solve produced non-finite factors for user row 1 (user id "bob")"`);
    expect(model.isFitted).toBe(false);
  });

  it('refuses recommendations before fit and after dispose', async () => {
    const model = new AlternatingLeastSquares({ factors: 2, iterations: 1, backend });
    await expect(model.recommend('ann')).rejects.toThrowErrorMatchingInlineSnapshot(`[InputError: the model is not fitted yet; call fit() before asking for recommendations]`);
    await model.fit(interactions);
    await model.dispose();
    await expect(model.recommend('ann')).rejects.toThrowErrorMatchingInlineSnapshot(`[InputError: the model was disposed; create a new AlternatingLeastSquares]`);
  });

  it('logs the loss at info level only when asked', async () => {
    const lines: string[] = [];
    const logger: Logger = { debug: (message) => lines.push(`debug ${message}`), info: (message) => lines.push(`info ${message}`), warn() {}, error() {} };
    const quiet = new AlternatingLeastSquares({ factors: 2, iterations: 2, seed: 1, backend, logger });
    await quiet.fit(interactions);
    expect(lines.filter((line) => line.startsWith('info'))).toEqual([]);
    expect(lines.some((line) => line.startsWith('debug iteration 1/2'))).toBe(true);

    lines.length = 0;
    const verbose = new AlternatingLeastSquares({ factors: 2, iterations: 2, seed: 1, backend, logger, calculateTrainingLoss: true });
    await verbose.fit(interactions);
    expect(lines.filter((line) => line.startsWith('info'))).toHaveLength(2);
    await Promise.all([quiet.dispose(), verbose.dispose()]);
  });

  it('frees fit memory on refit and dispose', async () => {
    const own = await createCpuBackend({ threads: 1 });
    // The arena is private to the CPU backend; its byte count is the only way to see a leak.
    const arena = (own as unknown as { wasm: WasmRuntime }).wasm.arena;
    const model = new AlternatingLeastSquares({ factors: 2, iterations: 2, seed: 1, backend: own });

    await model.fit(interactions);
    const afterFirstFit = arena.bytesInUse;
    const firstUserFactors = model.userFactors.slice();
    await model.fit(interactions);
    expect(arena.bytesInUse).toBe(afterFirstFit);
    expect(model.userFactors).toEqual(firstUserFactors);

    await model.dispose();
    expect(arena.bytesInUse).toBe(0);
    expect(model.userFactors).toHaveLength(0);
    expect(model.itemFactors).toHaveLength(0);
    await own.dispose();
  });

  it('keeps the previous fit when new input is invalid', async () => {
    const model = new AlternatingLeastSquares({ factors: 2, iterations: 2, seed: 1, backend });
    await model.fit(interactions);
    const negative = csrFromDense([[-1, 0, 0], [0, 1, 0]]);
    await expect(model.fit({ ...interactions, userItems: negative })).rejects.toThrow('is negative');
    expect(model.isFitted).toBe(true);
    expect(await model.recommend('ann', { n: 1 })).toHaveLength(1);
    await model.dispose();
  });

  it('selects and owns a CPU backend when none is passed', async () => {
    const model = new AlternatingLeastSquares({ factors: 2, iterations: 1, device: 'cpu', threads: 1, seed: 1 });
    await model.fit(interactions);
    expect(model.backendInfo).toEqual({ kind: 'cpu', description: 'cpu: 1 worker thread', threads: 1, reason: 'device "cpu" was requested' });
    await model.dispose();
  });
});
