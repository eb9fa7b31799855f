import { describe, expect, it } from 'vitest';
import type { CsrMatrix } from '../../src/csr/csr-matrix.js';
import { InputError } from '../../src/errors.js';
import { leaveKOutSplit, trainTestSplit } from '../../src/evaluate/index.js';
import { csrFromRows } from './fixtures.js';

const ratings = csrFromRows([[0, 1, 2], [1]], 3);

/** Calls `run` with options that bypass the static types, returning what it throws. */
function thrownBy(run: () => unknown): InputError {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError, but nothing was thrown');
}

describe('split option validation', () => {
  it('rejects testFraction out of range', () => {
    const error = thrownBy(() => trainTestSplit(ratings, { testFraction: 1.5, seed: 1 }));
    expect(error.code).toBe('invalid_option');
    expect(error.details).toMatchObject({ where: 'trainTestSplit.testFraction', received: '1.5' });
    expect(error.message).toMatchInlineSnapshot(`"trainTestSplit: option testFraction is 1.5, expected a number greater than 0 and less than 1"`);
  });

  it('rejects testFraction of zero', () => {
    expect(thrownBy(() => trainTestSplit(ratings, { testFraction: 0, seed: 1 })).message).toMatchInlineSnapshot(`"trainTestSplit: option testFraction is 0, expected a number greater than 0 and less than 1"`);
  });

  it('rejects a missing seed', () => {
    const options = { testFraction: 0.3 } as unknown as { seed: number };
    expect(thrownBy(() => trainTestSplit(ratings, options)).message).toMatchInlineSnapshot(`"trainTestSplit: option seed is missing, expected an integer from 0 to 4294967295"`);
  });

  it('rejects a fractional or negative seed', () => {
    expect(thrownBy(() => trainTestSplit(ratings, { seed: 1.5 })).message).toMatchInlineSnapshot(`"trainTestSplit: option seed is 1.5, expected an integer from 0 to 4294967295"`);
    expect(thrownBy(() => leaveKOutSplit(ratings, { seed: -1 })).message).toMatchInlineSnapshot(`"leaveKOutSplit: option seed is -1, expected an integer from 0 to 4294967295"`);
  });

  it('rejects unknown options', () => {
    const options = { seed: 1, testFrac: 0.3 } as unknown as { seed: number };
    expect(thrownBy(() => trainTestSplit(ratings, options)).message).toMatchInlineSnapshot(`"trainTestSplit: unknown option testFrac; the options are testFraction, seed"`);
  });

  it('rejects k below one and fractional k', () => {
    expect(thrownBy(() => leaveKOutSplit(ratings, { k: 0, seed: 1 })).message).toMatchInlineSnapshot(`"leaveKOutSplit: option k is 0, expected an integer of at least 1"`);
    expect(thrownBy(() => leaveKOutSplit(ratings, { k: 1.5, seed: 1 })).message).toMatchInlineSnapshot(`"leaveKOutSplit: option k is 1.5, expected an integer of at least 1"`);
  });

  it('rejects trainOnlyFraction of one', () => {
    expect(thrownBy(() => leaveKOutSplit(ratings, { trainOnlyFraction: 1, seed: 1 })).message).toMatchInlineSnapshot(`"leaveKOutSplit: option trainOnlyFraction is 1, expected a number from 0 (inclusive) to 1 (exclusive)"`);
  });

  it('lists every invalid option', () => {
    const options = { k: 'two', trainOnlyFraction: Number.NaN, seed: 2 } as unknown as { seed: number };
    expect(thrownBy(() => leaveKOutSplit(ratings, options)).message).toMatchInlineSnapshot(`"leaveKOutSplit: option k is "two", expected an integer of at least 1; option trainOnlyFraction is NaN, expected a number from 0 (inclusive) to 1 (exclusive)"`);
  });

  it('rejects options that are not an object', () => {
    const options = 5 as unknown as { seed: number };
    expect(thrownBy(() => trainTestSplit(ratings, options)).message).toMatchInlineSnapshot(`"trainTestSplit: options must be an object, received 5"`);
  });

  it('rejects ratings that are not a CsrMatrix', () => {
    const notCsr = { nRows: 2 } as unknown as CsrMatrix;
    expect(thrownBy(() => trainTestSplit(notCsr, { seed: 1 })).message).toMatchInlineSnapshot(`"trainTestSplit: ratings must be a CsrMatrix (users x items)"`);
  });
});
