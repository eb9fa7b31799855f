// Float32 vector helpers shared by the kernels. Every pointer is a byte offset into the shared
// memory. SIMD covers whole groups of 4 values and a scalar loop covers the rest, so rows of any
// length can be read in place without reading past their end.

/** Returns a . b over `length` float32 values. Four independent accumulators hide the add latency. */
// @ts-ignore: decorator
@inline
export function dotF32(a: usize, b: usize, length: i32): f32 {
  let acc0 = f32x4.splat(0);
  let acc1 = f32x4.splat(0);
  let acc2 = f32x4.splat(0);
  let acc3 = f32x4.splat(0);
  let f = 0;
  for (; f + 16 <= length; f += 16) {
    const offset = <usize>f << 2;
    acc0 = f32x4.add(acc0, f32x4.mul(v128.load(a + offset), v128.load(b + offset)));
    acc1 = f32x4.add(acc1, f32x4.mul(v128.load(a + offset, 16), v128.load(b + offset, 16)));
    acc2 = f32x4.add(acc2, f32x4.mul(v128.load(a + offset, 32), v128.load(b + offset, 32)));
    acc3 = f32x4.add(acc3, f32x4.mul(v128.load(a + offset, 48), v128.load(b + offset, 48)));
  }
  for (; f + 4 <= length; f += 4) {
    const offset = <usize>f << 2;
    acc0 = f32x4.add(acc0, f32x4.mul(v128.load(a + offset), v128.load(b + offset)));
  }
  const sum = f32x4.add(f32x4.add(acc0, acc1), f32x4.add(acc2, acc3));
  let total = f32x4.extract_lane(sum, 0) + f32x4.extract_lane(sum, 1) + (f32x4.extract_lane(sum, 2) + f32x4.extract_lane(sum, 3));
  for (; f < length; f++) total += load<f32>(a + (<usize>f << 2)) * load<f32>(b + (<usize>f << 2));
  return total;
}

/** Computes out += scale * y over `length` float32 values. */
// @ts-ignore: decorator
@inline
export function addScaledF32(out: usize, scale: f32, y: usize, length: i32): void {
  const scaleVector = f32x4.splat(scale);
  let f = 0;
  for (; f + 4 <= length; f += 4) {
    const offset = <usize>f << 2;
    v128.store(out + offset, f32x4.add(v128.load(out + offset), f32x4.mul(scaleVector, v128.load(y + offset))));
  }
  for (; f < length; f++) {
    const offset = <usize>f << 2;
    store<f32>(out + offset, load<f32>(out + offset) + scale * load<f32>(y + offset));
  }
}

/** Returns the float64 sum of a[f] * b[f] over `length` float32 values, the terms added in float32 lanes. */
// @ts-ignore: decorator
@inline
export function dotF32Wide(a: usize, b: usize, length: i32): f64 {
  let acc = f32x4.splat(0);
  let f = 0;
  for (; f + 4 <= length; f += 4) {
    const offset = <usize>f << 2;
    acc = f32x4.add(acc, f32x4.mul(v128.load(a + offset), v128.load(b + offset)));
  }
  let total = <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1) + <f64>f32x4.extract_lane(acc, 2) + <f64>f32x4.extract_lane(acc, 3);
  for (; f < length; f++) total += <f64>load<f32>(a + (<usize>f << 2)) * <f64>load<f32>(b + (<usize>f << 2));
  return total;
}

/** Returns true when every one of `length` float32 values is finite. */
export function isAllFiniteF32(values: usize, length: i32): bool {
  for (let f = 0; f < length; f++) {
    const value = load<f32>(values + (<usize>f << 2));
    // x - x is NaN exactly when x is NaN or infinite.
    if (value - value != 0) return false;
  }
  return true;
}
