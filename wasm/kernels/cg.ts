// Conjugate-gradient ALS row solver in float32 SIMD, warm-started from the current factors. It runs
// the same steps as the TypeScript reference (kernels/cg.ts) with float32 vectors where that one
// uses float64; the norms that steer CG (r.r, p.Ap) are added up in float64.

import { addSparseProduct, SPARSE_SCRATCH_BYTES } from './sparse-product';
import { dotF32Wide, isAllFiniteF32 } from './vector';

/** Below this squared residual norm a row counts as solved, as in the TypeScript reference. */
const RESIDUAL_EPSILON: f64 = 1e-20;

/** Returns the float32 count of a padded vector or Gram row: factors rounded up to a multiple of 4. */
// @ts-ignore: decorator
@inline
function paddedLength(factors: i32): i32 {
  return (factors + 3) & ~3;
}

/** Returns the scratch bytes solveRowsCg needs: the float32 Gram copy, four work vectors and the sparse product's scales. */
export function cgScratchBytes(factors: i32): i32 {
  const padded = paddedLength(factors);
  return (padded * padded + 4 * padded) * 4 + SPARSE_SCRATCH_BYTES;
}

/**
 * Copies the float64 Gram matrix (factors x factors) into the float32 copy at the start of
 * `scratch`, with rows padded by zeros to a multiple of 4 values. Call once per solve task.
 */
export function loadGramF32(gram: usize, factors: i32, scratch: usize): void {
  const padded = paddedLength(factors);
  memory.fill(scratch, 0, <usize>(padded * padded) << 2);
  for (let a = 0; a < factors; a++) {
    for (let b = 0; b < factors; b++) {
      store<f32>(scratch + (<usize>(a * padded + b) << 2), <f32>load<f64>(gram + (<usize>(a * factors + b) << 3)));
    }
  }
}

/**
 * Computes out = (G + regularization I) v, G the padded float32 Gram copy. G is symmetric, so
 * column b of G is row b, and out is built as sum over b of v[b] * row b: eight accumulators of 4
 * values each cover 32 outputs per pass over the rows.
 */
function multiplyRegularizedGram(gram: usize, padded: i32, factors: i32, regularization: f32, v: usize, out: usize): void {
  const rowBytes = <usize>padded << 2;
  let start = 0;
  for (; start + 32 <= padded; start += 32) {
    let s0 = f32x4.splat(0);
    let s1 = f32x4.splat(0);
    let s2 = f32x4.splat(0);
    let s3 = f32x4.splat(0);
    let s4 = f32x4.splat(0);
    let s5 = f32x4.splat(0);
    let s6 = f32x4.splat(0);
    let s7 = f32x4.splat(0);
    let row = gram + (<usize>start << 2);
    for (let b = 0; b < factors; b++) {
      const vb = v128.load32_splat(v + (<usize>b << 2));
      s0 = f32x4.add(s0, f32x4.mul(vb, v128.load(row)));
      s1 = f32x4.add(s1, f32x4.mul(vb, v128.load(row, 16)));
      s2 = f32x4.add(s2, f32x4.mul(vb, v128.load(row, 32)));
      s3 = f32x4.add(s3, f32x4.mul(vb, v128.load(row, 48)));
      s4 = f32x4.add(s4, f32x4.mul(vb, v128.load(row, 64)));
      s5 = f32x4.add(s5, f32x4.mul(vb, v128.load(row, 80)));
      s6 = f32x4.add(s6, f32x4.mul(vb, v128.load(row, 96)));
      s7 = f32x4.add(s7, f32x4.mul(vb, v128.load(row, 112)));
      row += rowBytes;
    }
    const target = out + (<usize>start << 2);
    const source = v + (<usize>start << 2);
    const lambda = f32x4.splat(regularization);
    v128.store(target, f32x4.add(s0, f32x4.mul(lambda, v128.load(source))));
    v128.store(target, f32x4.add(s1, f32x4.mul(lambda, v128.load(source, 16))), 16);
    v128.store(target, f32x4.add(s2, f32x4.mul(lambda, v128.load(source, 32))), 32);
    v128.store(target, f32x4.add(s3, f32x4.mul(lambda, v128.load(source, 48))), 48);
    v128.store(target, f32x4.add(s4, f32x4.mul(lambda, v128.load(source, 64))), 64);
    v128.store(target, f32x4.add(s5, f32x4.mul(lambda, v128.load(source, 80))), 80);
    v128.store(target, f32x4.add(s6, f32x4.mul(lambda, v128.load(source, 96))), 96);
    v128.store(target, f32x4.add(s7, f32x4.mul(lambda, v128.load(source, 112))), 112);
  }
  // The last padded % 32 outputs, four at a time.
  for (; start < padded; start += 4) {
    let sum = f32x4.splat(0);
    let row = gram + (<usize>start << 2);
    for (let b = 0; b < factors; b++) {
      sum = f32x4.add(sum, f32x4.mul(v128.load32_splat(v + (<usize>b << 2)), v128.load(row)));
      row += rowBytes;
    }
    const offset = <usize>start << 2;
    v128.store(out + offset, f32x4.add(sum, f32x4.mul(f32x4.splat(regularization), v128.load(v + offset))));
  }
}

/**
 * Runs `cgSteps` CG steps on each row u in [rowStart, rowEnd) of
 *   A_u x_u = b_u,  A_u = Y^T Y + lambda I + sum_i (c_ui - 1) y_i y_i^T,  b_u = sum_i c_ui y_i,
 * starting from row u of `target` (float32, rows x factors) and writing the result back.
 * A_u is never formed: A_u v = (Y^T Y + lambda I) v + sum_i (c_ui - 1) (y_i . v) y_i.
 * indptr, indices (uint32) and data (float32 confidence) are the CSR rows; other is Y (float32,
 * row-major). loadGramF32 must have filled the start of `scratch` (cgScratchBytes(factors) bytes).
 * Rows with no stored values get zero factors. Returns -1, or the first row whose result is not
 * finite, leaving the rows after it unsolved.
 */
export function solveRowsCg(
  indptr: usize,
  indices: usize,
  data: usize,
  other: usize,
  target: usize,
  factors: i32,
  rowStart: i32,
  rowEnd: i32,
  regularization: f32,
  cgSteps: i32,
  scratch: usize,
): i32 {
  const padded = paddedLength(factors);
  const vectorBytes = <usize>padded << 2;
  const gram = scratch;
  const x = gram + <usize>padded * vectorBytes;
  const r = x + vectorBytes;
  const p = r + vectorBytes;
  const ap = p + vectorBytes;
  const scales = ap + vectorBytes;
  const rowBytes = <usize>factors << 2;
  // Padding lanes stay zero, so padded SIMD sums add nothing from them.
  memory.fill(x, 0, 4 * vectorBytes);

  for (let row = rowStart; row < rowEnd; row++) {
    const rowTarget = target + <usize>row * rowBytes;
    const start = load<u32>(indptr + (<usize>row << 2));
    const end = load<u32>(indptr + (<usize>(row + 1) << 2));
    if (start == end) {
      memory.fill(rowTarget, 0, rowBytes);
      continue;
    }
    memory.copy(x, rowTarget, rowBytes);

    // r = b - A x = -(Y^T Y + lambda I) x + sum_i (c_ui - (c_ui - 1) (y_i . x)) y_i
    multiplyRegularizedGram(gram, padded, factors, regularization, x, r);
    for (let f = 0; f < padded; f += 4) v128.store(r + (<usize>f << 2), f32x4.neg(v128.load(r + (<usize>f << 2))));
    addSparseProduct(indices, data, start, end, other, factors, x, r, true, scales);

    memory.copy(p, r, vectorBytes);
    let rsOld = dotF32Wide(r, r, padded);
    // A NaN residual would skip the loop below and keep the old factors, so it fails here instead.
    if (!(rsOld < Infinity)) return row;

    for (let step = 0; step < cgSteps && rsOld >= RESIDUAL_EPSILON; step++) {
      // ap = A p, built the same implicit way as the residual.
      multiplyRegularizedGram(gram, padded, factors, regularization, p, ap);
      addSparseProduct(indices, data, start, end, other, factors, p, ap, false, scales);

      const alpha = <f32>(rsOld / dotF32Wide(p, ap, padded));
      const alphaVector = f32x4.splat(alpha);
      for (let f = 0; f < padded; f += 4) {
        const offset = <usize>f << 2;
        v128.store(x + offset, f32x4.add(v128.load(x + offset), f32x4.mul(alphaVector, v128.load(p + offset))));
        v128.store(r + offset, f32x4.sub(v128.load(r + offset), f32x4.mul(alphaVector, v128.load(ap + offset))));
      }
      const rsNew = dotF32Wide(r, r, padded);
      if (rsNew < RESIDUAL_EPSILON) break;

      const betaVector = f32x4.splat(<f32>(rsNew / rsOld));
      for (let f = 0; f < padded; f += 4) {
        const offset = <usize>f << 2;
        v128.store(p + offset, f32x4.add(v128.load(r + offset), f32x4.mul(betaVector, v128.load(p + offset))));
      }
      rsOld = rsNew;
    }

    memory.copy(rowTarget, x, rowBytes);
    if (!isAllFiniteF32(x, factors)) return row;
  }
  return -1;
}
