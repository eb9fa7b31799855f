import { describe, expect, it } from 'vitest';
import { csrFromTriplets } from '../../src/csr/build.js';
import { bm25Weight, confidenceWeight, tfidfWeight } from '../../src/csr/weighting.js';
import { InputError } from '../../src/errors.js';

// 5 x 3 counts, the last row empty:
//   [[1, 2, 0],
//    [0, 4, 0],
//    [3, 0, 1],
//    [0, 2, 0],
//    [0, 0, 0]]
// N = 5 rows; stored entries per column 2, 3, 1; row sums 3, 4, 4, 2, 0 (mean 2.6).
const counts = csrFromTriplets([0, 0, 1, 2, 2, 3], [0, 1, 1, 0, 2, 1], [1, 2, 4, 3, 1, 2], [5, 3]);

/** Float32 storage keeps about 7 significant digits. */
const FLOAT32_TOLERANCE = 1e-6;

function expectData(actual: Float32Array, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((value, k) => expect(actual[k]).toBeCloseTo(value, 6));
}

describe('tfidfWeight', () => {
  it('matches sqrt(x) * ln(N / (1 + df)) computed by hand', () => {
    // Values from Python: math.sqrt(x) * math.log(5 / (1 + df)), in CSR order.
    const weighted = tfidfWeight(counts);
    expectData(weighted.data, [0.5108256237659907, 0.3155726366246521, 0.44628710262841953, 0.8847759341707596, 0.9162907318741551, 0.3155726366246521]);
    expect(weighted.indices).toBe(counts.indices);
    expect(weighted.indptr).toBe(counts.indptr);
  });

  it('rejects negative values', () => {
    const negative = csrFromTriplets([0], [0], [-1], [1, 1]);
    expect(() => tfidfWeight(negative)).toThrow('tfidfWeight needs non-negative values, but row 0, column 0 is -1; drop or clip negative values first');
  });
});

describe('bm25Weight', () => {
  it('matches implicit defaults k1 = 100, b = 0.8 computed by hand', () => {
    // x * (k1 + 1) / (k1 * ((1 - b) + b * rowSum / 2.6) + x) * ln(5 / (1 + df)), from Python.
    const weighted = bm25Weight(counts);
    expectData(weighted.data, [0.4553387943005742, 0.39433039417975424, 0.6129445248442624, 1.0595798483487298, 0.6423330117195759, 0.5395717916676933]);
  });

  it('uses the given k1 and b', () => {
    const weighted = bm25Weight(counts, { k1: 1.2, b: 0.75 });
    expectData(weighted.data, [0.48057936972721504, 0.2940970307643503, 0.3454346721291692, 0.7196853615619379, 0.7508858146590499, 0.32811853817924935]);
  });

  it('gives a column stored in every row a negative idf, as implicit does', () => {
    const everywhere = csrFromTriplets([0, 1], [0, 0], [1, 1], [2, 1]);
    const weighted = bm25Weight(everywhere, { k1: 1, b: 0 });
    // 1 * 2 / (1 * 1 + 1) * ln(2 / 3)
    expect(weighted.data[0]).toBeCloseTo(Math.log(2 / 3), 6);
  });

  it('rejects out-of-range options', () => {
    expect(() => bm25Weight(counts, { k1: -1 })).toThrow('invalid option k1: received -1; expected a finite number >= 0 (implicit uses 100)');
    expect(() => bm25Weight(counts, { b: 1.5 })).toThrow('invalid option b: received 1.5; expected a number in [0, 1] (implicit uses 0.8)');
    expect(() => bm25Weight(counts, { b: Number.NaN })).toThrow(InputError);
  });
});

describe('confidenceWeight', () => {
  it('computes 1 + alpha * value for stored cells only', () => {
    const confidence = confidenceWeight(counts, 40);
    expect(Array.from(confidence.data)).toEqual([41, 81, 161, 121, 41, 81]);
    expect(confidence.nnz).toBe(counts.nnz);
    expect(confidence.get(4, 0)).toBe(0);
  });

  it('keeps observed binary cells above the missing baseline of 1', () => {
    const binary = csrFromTriplets([0], [0], [1], [1, 2]);
    expect(confidenceWeight(binary, 1).data[0]).toBe(2);
  });

  it('rejects a negative or non-finite alpha', () => {
    expect(() => confidenceWeight(counts, -1)).toThrow('invalid option alpha: received -1; expected a finite number >= 0');
    expect(() => confidenceWeight(counts, Number.POSITIVE_INFINITY)).toThrow(InputError);
  });
});

describe('weighting precision', () => {
  it('stores results as float32', () => {
    const weighted = tfidfWeight(counts);
    expect(weighted.data).toBeInstanceOf(Float32Array);
    expect(Math.abs(weighted.data[0] - 0.5108256237659907)).toBeLessThan(FLOAT32_TOLERANCE);
  });
});
