// Gram matrix kernel: the F x F matrix Y^T Y of a factor matrix, one band of its rows at a time.

/**
 * Computes rows [bandStart, bandEnd) of the upper triangle of G = sum over all rows y of y y^T, that
 * is G[a][b] for bandStart <= a < bandEnd and b >= a, into `gram` (row-major factors x factors,
 * float64), overwriting those entries. Every entry sums the rows in index order, so the result does
 * not depend on how the bands are split between threads.
 */
export function computeGramBand(
  factorMatrix: Float32Array,
  factors: number,
  nRows: number,
  bandStart: number,
  bandEnd: number,
  gram: Float64Array,
): void {
  for (let a = bandStart; a < bandEnd; a++) gram.fill(0, a * factors + a, (a + 1) * factors);

  for (let row = 0; row < nRows; row++) {
    const offset = row * factors;
    for (let a = bandStart; a < bandEnd; a++) {
      const ya = factorMatrix[offset + a];
      if (ya === 0) continue;
      const gramRow = a * factors;
      for (let b = a; b < factors; b++) gram[gramRow + b] += ya * factorMatrix[offset + b];
    }
  }
}

/** Copies rows [bandStart, bandEnd) of the upper triangle onto the lower triangle (G[b][a] = G[a][b]). */
export function mirrorGramBand(gram: Float64Array, factors: number, bandStart: number, bandEnd: number): void {
  for (let a = bandStart; a < bandEnd; a++) {
    for (let b = a + 1; b < factors; b++) gram[b * factors + a] = gram[a * factors + b];
  }
}

/** Computes the whole Gram matrix Y^T Y (both triangles) of an nRows x factors matrix on one thread. */
export function computeGram(factorMatrix: Float32Array, factors: number, nRows: number, gram: Float64Array): void {
  computeGramBand(factorMatrix, factors, nRows, 0, factors, gram);
  mirrorGramBand(gram, factors, 0, factors);
}

/**
 * Splits the Gram rows [0, factors) into `parts` bands of about equal work: row a of the upper
 * triangle has factors - a entries. Returns parts + 1 boundaries.
 */
export function splitGramBands(factors: number, parts: number): Uint32Array {
  const bounds = new Uint32Array(parts + 1);
  const total = (factors * (factors + 1)) / 2;
  let a = 0;
  let done = 0;
  for (let part = 1; part < parts; part++) {
    const target = (total * part) / parts;
    while (a < factors && done + (factors - a) <= target) {
      done += factors - a;
      a++;
    }
    bounds[part] = a;
  }
  bounds[parts] = factors;
  return bounds;
}

/** Returns the sum of squares of rows [rowStart, rowEnd) of a row-major factor matrix, in float64. */
export function sumSquares(factorMatrix: Float32Array, factors: number, rowStart: number, rowEnd: number): number {
  let total = 0;
  const end = rowEnd * factors;
  for (let k = rowStart * factors; k < end; k++) total += factorMatrix[k] * factorMatrix[k];
  return total;
}
