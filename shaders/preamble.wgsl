// Shared helpers, prepended whole to every kernel file by src/backends/webgpu/shader-source.ts.
// Only pure functions and constants live here: no bindings, no workgroup variables, no entry points.

// Item id that marks an empty top-N slot or an unused candidate.
const SENTINEL_ID: u32 = 0xffffffffu;

// Lowest finite f32. Kernels use it instead of -Infinity, which WGSL cannot write as a constant and
// which compilers may assume never occurs.
const LOWEST_F32: f32 = -0x1.fffffep+127f;

// Exponent bits of an f32. All ones means infinity or NaN.
const F32_EXPONENT_MASK: u32 = 0x7f800000u;

// Tests finiteness on the bit pattern. WGSL lets compilers assume that no NaN or infinity occurs,
// so `v == v` or a comparison with the largest float could be folded away. An integer test on the
// bits cannot be.
fn isFiniteF32(value: f32) -> bool {
  return (bitcast<u32>(value) & F32_EXPONENT_MASK) != F32_EXPONENT_MASK;
}

// True for NaN only (exponent all ones and a non-zero mantissa); infinities return false.
fn isNanF32(value: f32) -> bool {
  return (bitcast<u32>(value) & 0x7fffffffu) > F32_EXPONENT_MASK;
}
