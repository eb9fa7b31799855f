// The sparse half of an implicit ALS product: out += sum over a row's stored cells k of
// scale_k y_k, where scale_k depends on y_k . v. Cells are taken in segments of SEGMENT_CELLS. The
// dot products give every scale of a segment first. Then the scaled rows are added into `out` while
// blocks of 32 outputs stay in registers, so `out` is loaded and stored once per segment, not per cell.

import { dotF32 } from './vector';

/** Cells per segment: 64 rows of 64 float32 factors are 16 KiB, still in L1 when they are read again. */
export const SEGMENT_CELLS = 64;

/** Bytes of the per-thread scale buffer. */
export const SPARSE_SCRATCH_BYTES = SEGMENT_CELLS * 4;

/**
 * Adds sum over cells k in [start, end) of scale_k y_k to `out` (factors float32), y_k the row
 * indices[k] of `other`. For the residual, scale_k = c_k - (c_k - 1) (y_k . v); else
 * scale_k = (c_k - 1) (y_k . v), c_k = data[k]. `scales` has room for SEGMENT_CELLS float32 values.
 */
export function addSparseProduct(
  indices: usize,
  data: usize,
  start: u32,
  end: u32,
  other: usize,
  factors: i32,
  v: usize,
  out: usize,
  isResidual: bool,
  scales: usize,
): void {
  const rowBytes = <usize>factors << 2;
  const wholeGroups = factors & ~3;
  for (let segment = start; segment < end; segment += SEGMENT_CELLS) {
    const count = <i32>min<u32>(SEGMENT_CELLS, end - segment);
    const segmentIndices = indices + (<usize>segment << 2);
    const segmentData = data + (<usize>segment << 2);
    let k = 0;
    // Four cells at a time share every load of v, and their four dot products come out in one vector.
    for (; k + 4 <= count; k += 4) {
      const cells = <usize>k << 2;
      const dots = dotFourRows(
        other + <usize>load<u32>(segmentIndices + cells) * rowBytes,
        other + <usize>load<u32>(segmentIndices + cells, 4) * rowBytes,
        other + <usize>load<u32>(segmentIndices + cells, 8) * rowBytes,
        other + <usize>load<u32>(segmentIndices + cells, 12) * rowBytes,
        v,
        wholeGroups,
        factors,
      );
      const confidence = v128.load(segmentData + cells);
      const weighted = f32x4.mul(f32x4.sub(confidence, f32x4.splat(1)), dots);
      v128.store(scales + cells, isResidual ? f32x4.sub(confidence, weighted) : weighted);
    }
    for (; k < count; k++) {
      const cell = <usize>k << 2;
      const confidence = load<f32>(segmentData + cell);
      const dot = dotF32(other + <usize>load<u32>(segmentIndices + cell) * rowBytes, v, factors);
      store<f32>(scales + cell, isResidual ? confidence - (confidence - 1) * dot : (confidence - 1) * dot);
    }
    addScaledRows(segmentIndices, count, other, rowBytes, factors, scales, out);
  }
}

/**
 * Returns (y0 . v, y1 . v, y2 . v, y3 . v) as one vector: SIMD over the first `wholeGroups` values
 * (factors rounded down to a multiple of 4), scalar over the rest.
 */
// @ts-ignore: decorator
@inline
function dotFourRows(y0: usize, y1: usize, y2: usize, y3: usize, v: usize, wholeGroups: i32, factors: i32): v128 {
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let a2 = f32x4.splat(0);
  let a3 = f32x4.splat(0);
  for (let f = 0; f < wholeGroups; f += 4) {
    const offset = <usize>f << 2;
    const values = v128.load(v + offset);
    a0 = f32x4.add(a0, f32x4.mul(values, v128.load(y0 + offset)));
    a1 = f32x4.add(a1, f32x4.mul(values, v128.load(y1 + offset)));
    a2 = f32x4.add(a2, f32x4.mul(values, v128.load(y2 + offset)));
    a3 = f32x4.add(a3, f32x4.mul(values, v128.load(y3 + offset)));
  }
  // Transpose-add: lane j of the result is the sum of the lanes of a_j.
  const low01 = v128.shuffle<i32>(a0, a1, 0, 4, 1, 5);
  const high01 = v128.shuffle<i32>(a0, a1, 2, 6, 3, 7);
  const low23 = v128.shuffle<i32>(a2, a3, 0, 4, 1, 5);
  const high23 = v128.shuffle<i32>(a2, a3, 2, 6, 3, 7);
  const sum01 = f32x4.add(low01, high01);
  const sum23 = f32x4.add(low23, high23);
  let dots = f32x4.add(v128.shuffle<i64>(sum01, sum23, 0, 2), v128.shuffle<i64>(sum01, sum23, 1, 3));
  for (let f = wholeGroups; f < factors; f++) {
    const offset = <usize>f << 2;
    const value = load<f32>(v + offset);
    dots = f32x4.replace_lane(dots, 0, f32x4.extract_lane(dots, 0) + value * load<f32>(y0 + offset));
    dots = f32x4.replace_lane(dots, 1, f32x4.extract_lane(dots, 1) + value * load<f32>(y1 + offset));
    dots = f32x4.replace_lane(dots, 2, f32x4.extract_lane(dots, 2) + value * load<f32>(y2 + offset));
    dots = f32x4.replace_lane(dots, 3, f32x4.extract_lane(dots, 3) + value * load<f32>(y3 + offset));
  }
  return dots;
}

/** Adds sum over k < count of scales[k] * row indices[k] of `other` to `out`. */
// @ts-ignore: decorator
@inline
function addScaledRows(indices: usize, count: i32, other: usize, rowBytes: usize, factors: i32, scales: usize, out: usize): void {
  let f = 0;
  for (; f + 32 <= factors; f += 32) {
    const offset = <usize>f << 2;
    let s0 = v128.load(out + offset);
    let s1 = v128.load(out + offset, 16);
    let s2 = v128.load(out + offset, 32);
    let s3 = v128.load(out + offset, 48);
    let s4 = v128.load(out + offset, 64);
    let s5 = v128.load(out + offset, 80);
    let s6 = v128.load(out + offset, 96);
    let s7 = v128.load(out + offset, 112);
    for (let k = 0; k < count; k++) {
      const row = other + <usize>load<u32>(indices + (<usize>k << 2)) * rowBytes + offset;
      const scale = v128.load32_splat(scales + (<usize>k << 2));
      s0 = f32x4.add(s0, f32x4.mul(scale, v128.load(row)));
      s1 = f32x4.add(s1, f32x4.mul(scale, v128.load(row, 16)));
      s2 = f32x4.add(s2, f32x4.mul(scale, v128.load(row, 32)));
      s3 = f32x4.add(s3, f32x4.mul(scale, v128.load(row, 48)));
      s4 = f32x4.add(s4, f32x4.mul(scale, v128.load(row, 64)));
      s5 = f32x4.add(s5, f32x4.mul(scale, v128.load(row, 80)));
      s6 = f32x4.add(s6, f32x4.mul(scale, v128.load(row, 96)));
      s7 = f32x4.add(s7, f32x4.mul(scale, v128.load(row, 112)));
    }
    v128.store(out + offset, s0);
    v128.store(out + offset, s1, 16);
    v128.store(out + offset, s2, 32);
    v128.store(out + offset, s3, 48);
    v128.store(out + offset, s4, 64);
    v128.store(out + offset, s5, 80);
    v128.store(out + offset, s6, 96);
    v128.store(out + offset, s7, 112);
  }
  // The remaining whole groups of 4 values, one group per pass over the cells.
  for (; f + 4 <= factors; f += 4) {
    const offset = <usize>f << 2;
    let sum = v128.load(out + offset);
    for (let k = 0; k < count; k++) {
      const row = other + <usize>load<u32>(indices + (<usize>k << 2)) * rowBytes + offset;
      sum = f32x4.add(sum, f32x4.mul(v128.load32_splat(scales + (<usize>k << 2)), v128.load(row)));
    }
    v128.store(out + offset, sum);
  }
  for (; f < factors; f++) {
    const offset = <usize>f << 2;
    let sum = load<f32>(out + offset);
    for (let k = 0; k < count; k++) {
      sum += load<f32>(scales + (<usize>k << 2)) * load<f32>(other + <usize>load<u32>(indices + (<usize>k << 2)) * rowBytes + offset);
    }
    store<f32>(out + offset, sum);
  }
}
