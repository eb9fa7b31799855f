// The data every per-row ALS kernel reads: one side's confidence rows and the other side's factors.

/**
 * One half-step's inputs. Row u of the CSR arrays lists the columns i with stored confidence c_ui
 * (preference p_ui = 1); every other cell has c = 1 and p = 0.
 */
export interface RowSystem {
  indptr: Uint32Array;
  indices: Uint32Array;
  /** Confidence c_ui of each stored cell. */
  data: Float32Array;
  /** The fixed factor matrix Y (nColumns x factors, row-major). */
  otherFactors: Float32Array;
  /** Y^T Y, row-major factors x factors, both triangles filled. */
  gram: Float64Array;
  factors: number;
}

/** Reason a row's solve failed. */
export type RowFailureReason = 'non_finite_factors' | 'not_positive_definite';

/** The first row whose solve failed, with the reason. */
export interface RowFailure {
  row: number;
  reason: RowFailureReason;
}

/** Returns true when every value of `values[0..length)` is finite. */
export function isAllFinite(values: Float64Array, length: number): boolean {
  for (let k = 0; k < length; k++) {
    // x - x is NaN exactly when x is NaN or infinite.
    if (values[k] - values[k] !== 0) return false;
  }
  return true;
}

/** Computes out = (gram + regularization I) v for a dense symmetric gram. */
export function multiplyRegularizedGram(
  gram: Float64Array,
  regularization: number,
  factors: number,
  v: Float64Array,
  out: Float64Array,
): void {
  for (let a = 0; a < factors; a++) {
    const gramRow = a * factors;
    let sum = regularization * v[a];
    for (let b = 0; b < factors; b++) sum += gram[gramRow + b] * v[b];
    out[a] = sum;
  }
}

/** Returns y_i . v for row `item` of the other side's factors. */
export function dotFactorRow(otherFactors: Float32Array, offset: number, v: Float64Array, factors: number): number {
  let sum = 0;
  for (let f = 0; f < factors; f++) sum += otherFactors[offset + f] * v[f];
  return sum;
}

/** Computes out += scale * y_i for the factor row at `offset`. */
export function addScaledFactorRow(
  otherFactors: Float32Array,
  offset: number,
  scale: number,
  out: Float64Array,
  factors: number,
): void {
  for (let f = 0; f < factors; f++) out[f] += scale * otherFactors[offset + f];
}
