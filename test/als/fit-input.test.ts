// Values that fit() accepts: negative values are rejected and stored zeros dropped, as the loaders do.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlternatingLeastSquares, normalizeFitData, toConfidence } from '../../src/als/index.js';
import type { Backend } from '../../src/backends/backend.js';
import { createCpuBackend } from '../../src/backends/cpu/index.js';
import { CsrMatrix } from '../../src/csr/csr-matrix.js';
import { IdMap } from '../../src/csr/id-map.js';
import { InputError } from '../../src/errors.js';

const NEGATIVE_MESSAGE =
  'value -0.10000000149011612 of user "bob" for item "y" is negative, but ALS reads values as interaction strengths >= 0, where 0 means no interaction; drop or clip negative values first';

/** ann: x stored as 0, z = 2. bob: y = `bobValue`. */
function interactionsWith(bobValue: number) {
  return {
    userIds: new IdMap(['ann', 'bob']),
    itemIds: new IdMap(['x', 'y', 'z']),
    userItems: new CsrMatrix({ indptr: [0, 2, 3], indices: [0, 2, 1], data: [0, 2, bobValue], shape: [2, 3] }),
  };
}

function expectNegativeError(run: () => unknown): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InputError);
  const error = caught as InputError;
  expect(error.code).toBe('invalid_input');
  expect(error.message).toBe(NEGATIVE_MESSAGE);
  expect(error.details.where).toBe('user bob, item y');
}

describe('fit input values', () => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await createCpuBackend({ threads: 1 });
  });
  afterAll(async () => {
    await backend.dispose();
  });

  it('normalizeFitData drops stored zeros', () => {
    const { userItems } = normalizeFitData(interactionsWith(3));
    expect(Array.from(userItems.indptr)).toEqual([0, 1, 2]);
    expect(Array.from(userItems.indices)).toEqual([2, 1]);
    expect(Array.from(userItems.data)).toEqual([2, 3]);
    expect(userItems.shape).toEqual([2, 3]);
  });

  it('toConfidence rejects a negative value with positive confidence', () => {
    // 1 + 4 * -0.1 = 0.6 > 0, so only the sign check catches it.
    expectNegativeError(() => toConfidence(normalizeFitData(interactionsWith(-0.1)), 4));
  });

  it('fit rejects a negative value naming user and item', async () => {
    const model = new AlternatingLeastSquares({ factors: 2, alpha: 4, backend });
    let caught: unknown;
    await model.fit(interactionsWith(-0.1)).catch((error: unknown) => {
      caught = error;
    });
    expectNegativeError(() => {
      throw caught;
    });
    expect(model.isFitted).toBe(false);
  });

  it('fit treats a stored zero as no interaction', async () => {
    const model = new AlternatingLeastSquares({ factors: 2, iterations: 2, seed: 1, backend });
    await model.fit(interactionsWith(3));
    const recommended = (await model.recommend('ann', { n: 3 })).map((scored) => scored.itemId);
    // z is ann's only interaction, so it is filtered; x, stored as 0, is not.
    expect(recommended.sort()).toEqual(['x', 'y']);
  });
});
