// Seeded initial factors.

import type { Random } from '../random.js';

/** Each initial factor is uniform in [0, INITIAL_FACTOR_SCALE), the distribution `implicit` 0.7 uses. */
export const INITIAL_FACTOR_SCALE = 0.01;

/** Returns rows x factors values drawn uniformly from [0, 0.01) by `random`, row-major. */
export function initialFactors(rows: number, factors: number, random: Random): Float32Array {
  return fillInitialFactors(new Float32Array(rows * factors), random);
}

/** Fills `values` in place with draws from [0, 0.01) by `random`, as initialFactors does, and returns it. */
export function fillInitialFactors(values: Float32Array, random: Random): Float32Array {
  for (let k = 0; k < values.length; k++) values[k] = random.next() * INITIAL_FACTOR_SCALE;
  return values;
}
