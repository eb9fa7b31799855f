import { describe, expect, it } from 'vitest';
import { AlternatingLeastSquares } from '../../src/als/index.js';
import { InputError } from '../../src/errors.js';
import { parseAlsOptions } from '../../src/options.js';

function messageOf(options: unknown): string {
  try {
    parseAlsOptions(options);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe('invalid_option');
    return (error as Error).message;
  }
  throw new Error('expected the options to be rejected');
}

describe('ALS options', () => {
  it('fills the defaults of implicit', () => {
    expect(parseAlsOptions({})).toEqual({
      factors: 100,
      regularization: 0.01,
      alpha: 1,
      iterations: 15,
      solver: 'cg',
      cgSteps: 3,
      device: 'auto',
      calculateTrainingLoss: false,
    });
  });

  it('names the option, the value and the range', () => {
    expect(messageOf({ factors: 0 })).toMatchInlineSnapshot(`"invalid ALS options: factors is 0: expected an integer from 1 to 1024"`);
    expect(messageOf({ factors: 2.5 })).toMatchInlineSnapshot(`"invalid ALS options: factors is 2.5: expected an integer from 1 to 1024"`);
    expect(messageOf({ factors: 5000 })).toMatchInlineSnapshot(`"invalid ALS options: factors is 5000: expected an integer from 1 to 1024"`);
    expect(messageOf({ regularization: -0.1 })).toMatchInlineSnapshot(`"invalid ALS options: regularization is -0.1: expected a finite number >= 0"`);
    expect(messageOf({ alpha: Number.NaN })).toMatchInlineSnapshot(`"invalid ALS options: alpha is NaN: expected a finite number >= 0"`);
    expect(messageOf({ iterations: -1 })).toMatchInlineSnapshot(`"invalid ALS options: iterations is -1: expected an integer from 0 to 100000"`);
    expect(messageOf({ solver: 'lu' })).toMatchInlineSnapshot(`"invalid ALS options: solver is "lu": expected one of "cg", "cholesky""`);
    expect(messageOf({ cgSteps: 0 })).toMatchInlineSnapshot(`"invalid ALS options: cgSteps is 0: expected an integer from 1 to 1000"`);
    expect(messageOf({ seed: -3 })).toMatchInlineSnapshot(`"invalid ALS options: seed is -3: expected an integer from 0 to 4294967295"`);
    expect(messageOf({ threads: 0 })).toMatchInlineSnapshot(`"invalid ALS options: threads is 0: expected an integer from 1 to 256"`);
    expect(messageOf({ device: 'gpu' })).toMatchInlineSnapshot(`"invalid ALS options: device is "gpu": expected one of "auto", "cpu", "webgpu""`);
    expect(messageOf({ calculateTrainingLoss: 'yes' })).toMatchInlineSnapshot(`"invalid ALS options: calculateTrainingLoss is "yes": expected true or false"`);
    expect(messageOf({ logLevel: 'verbose' })).toMatchInlineSnapshot(`"invalid ALS options: logLevel is "verbose": expected one of "silent", "error", "warn", "info", "debug""`);
    expect(messageOf({ logger: console.log })).toMatchInlineSnapshot(`"invalid ALS options: logger is a function: expected an object with debug, info, warn and error methods"`);
  });

  it('rejects unknown options, such as typos', () => {
    expect(messageOf({ factor: 64 })).toMatchInlineSnapshot(`"invalid ALS options: unknown option factor"`);
  });

  it('lists every bad option at once', () => {
    expect(messageOf({ factors: -1, solver: 'qr' })).toMatchInlineSnapshot(`"invalid ALS options: factors is -1: expected an integer from 1 to 1024; solver is "qr": expected one of "cg", "cholesky""`);
  });

  it('validates in the model constructor', () => {
    expect(() => new AlternatingLeastSquares({ iterations: 1.5 })).toThrow(InputError);
  });
});
