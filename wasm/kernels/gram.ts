// Gram matrix G = Y^T Y of a float32 factor matrix, one band of G's rows at a time. Products are
// summed in float32 over blocks of BLOCK_ROWS rows, and each block's sums are added into float64,
// so the float32 rounding error of an entry is bounded by BLOCK_ROWS terms, not by the row count.

/** Rows per float32 block. 64 rows at 64 factors are 16 KiB, which stays in L1 while every tile reads them. */
const BLOCK_ROWS = 64;

/** Returns the scratch bytes gramBand needs. */
export function gramScratchBytes(factors: i32): i32 {
  const padded = (factors + 15) & ~15;
  return BLOCK_ROWS * padded * 4 + (factors + 1) * padded * 8;
}

/**
 * Writes rows [bandStart, bandEnd) of the upper triangle of G, that is G[a][b] for b >= a, into
 * `gram` (factors x factors float64, row-major) and leaves the other entries alone.
 * `matrix` is nRows x factors float32, row-major. `scratch` has gramScratchBytes(factors) bytes.
 */
export function gramBand(matrix: usize, factors: i32, nRows: i32, bandStart: i32, bandEnd: i32, gram: usize, scratch: usize): void {
  if (bandStart >= bandEnd) return;
  // Block rows are padded with zeros to a multiple of 16 values, so tiles never need a scalar tail.
  const padded = (factors + 15) & ~15;
  const rowBytes = <usize>padded << 2;
  const block = scratch;
  const sums = scratch + <usize>BLOCK_ROWS * rowBytes;
  memory.fill(block, 0, <usize>BLOCK_ROWS * rowBytes);
  memory.fill(sums, 0, <usize>(bandEnd - bandStart + 1) * padded * 8);

  for (let rowStart = 0; rowStart < nRows; rowStart += BLOCK_ROWS) {
    const rows = min(BLOCK_ROWS, nRows - rowStart);
    for (let r = 0; r < rows; r++) {
      memory.copy(block + <usize>r * rowBytes, matrix + (<usize>(rowStart + r) * factors << 2), <usize>factors << 2);
    }
    // Two Gram rows per pass share every load of the block; a lone last row is paired with itself.
    for (let a = bandStart; a < bandEnd; a += 2) {
      const hasPair = a + 1 < bandEnd;
      const partner = hasPair ? a + 1 : a;
      for (let b = a & ~15; b < padded; b += 16) {
        accumulateTile(block, rowBytes, rows, a, partner, b, sums + (<usize>((a - bandStart) * padded + b) << 3), hasPair ? sums + (<usize>((partner - bandStart) * padded + b) << 3) : 0);
      }
    }
  }

  for (let a = bandStart; a < bandEnd; a++) {
    const source = sums + (<usize>((a - bandStart) * padded) << 3);
    memory.copy(gram + (<usize>(a * factors + a) << 3), source + (<usize>a << 3), <usize>(factors - a) << 3);
  }
}

/**
 * Adds sum over the block's rows of y[a] * y[b .. b + 16) to sumsA and of y[partner] * y[b .. b + 16)
 * to sumsB (skipped when sumsB is 0), summing the block in float32 and adding the result in float64.
 */
// @ts-ignore: decorator
@inline
function accumulateTile(block: usize, rowBytes: usize, rows: i32, a: i32, partner: i32, b: i32, sumsA: usize, sumsB: usize): void {
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let a2 = f32x4.splat(0);
  let a3 = f32x4.splat(0);
  let b0 = f32x4.splat(0);
  let b1 = f32x4.splat(0);
  let b2 = f32x4.splat(0);
  let b3 = f32x4.splat(0);
  const offsetA = <usize>a << 2;
  const offsetB = <usize>partner << 2;
  const offsetTile = <usize>b << 2;
  for (let r = 0; r < rows; r++) {
    const row = block + <usize>r * rowBytes;
    const ya = v128.load32_splat(row + offsetA);
    const yb = v128.load32_splat(row + offsetB);
    const v0 = v128.load(row + offsetTile);
    const v1 = v128.load(row + offsetTile, 16);
    const v2 = v128.load(row + offsetTile, 32);
    const v3 = v128.load(row + offsetTile, 48);
    a0 = f32x4.add(a0, f32x4.mul(ya, v0));
    a1 = f32x4.add(a1, f32x4.mul(ya, v1));
    a2 = f32x4.add(a2, f32x4.mul(ya, v2));
    a3 = f32x4.add(a3, f32x4.mul(ya, v3));
    b0 = f32x4.add(b0, f32x4.mul(yb, v0));
    b1 = f32x4.add(b1, f32x4.mul(yb, v1));
    b2 = f32x4.add(b2, f32x4.mul(yb, v2));
    b3 = f32x4.add(b3, f32x4.mul(yb, v3));
  }
  addToSums(sumsA, a0, a1, a2, a3);
  if (sumsB != 0) addToSums(sumsB, b0, b1, b2, b3);
}

// @ts-ignore: decorator
@inline
function addToSums(sums: usize, s0: v128, s1: v128, s2: v128, s3: v128): void {
  addLanes(sums, s0);
  addLanes(sums + 32, s1);
  addLanes(sums + 64, s2);
  addLanes(sums + 96, s3);
}

// @ts-ignore: decorator
@inline
function addLanes(sums: usize, lanes: v128): void {
  v128.store(sums, f64x2.add(v128.load(sums), f64x2.promote_low_f32x4(lanes)));
  v128.store(sums, f64x2.add(v128.load(sums, 16), f64x2.promote_low_f32x4(v128.shuffle<i32>(lanes, lanes, 2, 3, 0, 1))), 16);
}
