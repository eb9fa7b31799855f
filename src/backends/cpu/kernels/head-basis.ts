// An orthonormal basis of the leading directions of a set of factor rows, for the head bound of the
// pruned top-N kernel. Any orthonormal basis keeps that bound valid. A basis close to the leading
// eigenvectors of the rows' Gram matrix makes it tight, so most items fail it early.

/** Power-iteration rounds. The bound needs only a good subspace, not converged eigenvectors. */
const SUBSPACE_ITERATIONS = 12;

/**
 * Returns Q, float64 factors x headSize row-major (Q[f * headSize + j]), whose first
 * min(headSize, factors) columns are orthonormal and span about the leading eigenvectors of
 * sum over `sample` rows of y y^T; the remaining columns are zero.
 */
export function leadingBasis(rows: Float32Array, factors: number, sample: Uint32Array, headSize: number): Float64Array {
  const gram = sampleGram(rows, factors, sample);
  const columns = Math.min(headSize, factors);
  // Start from the standard basis vectors of the largest diagonal entries.
  const byVariance = Array.from({ length: factors }, (_, f) => f).sort((a, b) => gram[b * factors + b] - gram[a * factors + a] || a - b);
  let basis: Float64Array[] = byVariance.slice(0, columns).map((f) => unitVector(factors, f));

  for (let round = 0; round < SUBSPACE_ITERATIONS; round++) {
    basis = orthonormalize(basis.map((column) => multiplySymmetric(gram, factors, column)), factors);
  }

  const out = new Float64Array(factors * headSize);
  basis.forEach((column, j) => {
    for (let f = 0; f < factors; f++) out[f * headSize + j] = column[f];
  });
  return out;
}

function sampleGram(rows: Float32Array, factors: number, sample: Uint32Array): Float64Array {
  const gram = new Float64Array(factors * factors);
  for (let k = 0; k < sample.length; k++) {
    const offset = sample[k] * factors;
    for (let a = 0; a < factors; a++) {
      const ya = rows[offset + a];
      for (let b = a; b < factors; b++) gram[a * factors + b] += ya * rows[offset + b];
    }
  }
  for (let a = 0; a < factors; a++) for (let b = a + 1; b < factors; b++) gram[b * factors + a] = gram[a * factors + b];
  return gram;
}

function unitVector(length: number, index: number): Float64Array {
  const vector = new Float64Array(length);
  vector[index] = 1;
  return vector;
}

function multiplySymmetric(matrix: Float64Array, size: number, vector: Float64Array): Float64Array {
  const out = new Float64Array(size);
  for (let a = 0; a < size; a++) {
    let sum = 0;
    for (let b = 0; b < size; b++) sum += matrix[a * size + b] * vector[b];
    out[a] = sum;
  }
  return out;
}

/**
 * Modified Gram-Schmidt, run twice per column so the result is orthonormal to about 1e-15. A column
 * that is (nearly) dependent on the earlier ones is replaced by the first standard basis vector that
 * is not, so the result always has as many orthonormal columns as the input.
 */
function orthonormalize(columns: Float64Array[], size: number): Float64Array[] {
  const result: Float64Array[] = [];
  let fallback = 0;
  for (const column of columns) {
    let candidate = column;
    for (;;) {
      const before = Math.hypot(...candidate);
      for (let pass = 0; pass < 2; pass++) {
        for (const kept of result) {
          let projection = 0;
          for (let f = 0; f < size; f++) projection += kept[f] * candidate[f];
          for (let f = 0; f < size; f++) candidate[f] -= projection * kept[f];
        }
      }
      const after = Math.hypot(...candidate);
      if (after > 1e-8 * before && after > 0 && Number.isFinite(after)) {
        for (let f = 0; f < size; f++) candidate[f] /= after;
        result.push(candidate);
        break;
      }
      candidate = unitVector(size, fallback++);
    }
  }
  return result;
}
