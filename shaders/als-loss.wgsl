// Sparse part of the ALS training loss, per stored entry (u, i) of the user x item confidence matrix:
//
//   term_ui = ((c_ui - 1) d - 2 c_ui) d + c_ui,   d = x_u . y_i.
//
// The host adds the dense part: over all cells, sum_u x_u^T YtY x_u = <XtX, YtY>, so
//   sum over all cells of c_ui (p_ui - x_u . y_i)^2 = <XtX, YtY> + sum over stored entries of term_ui,
// because a stored cell contributes c (1 - d)^2 = d^2 + (c - 1) d^2 - 2 c d + c and a missing cell d^2.
// The regularization and normalisation follow on the host from the two Gram matrices and the
// confidence sum.
//
// Dispatch shape: one lane per row of the chunk (global x = row - params.rowStart), WORKGROUP_SIZE
// lanes per workgroup. Each workgroup sums its lanes' terms and writes one value to
// lossPartials[params.slotBase + workgroup x]; the host sums the slots in float64.
//
// Bindings (group 0):
//   0 params          uniform     LossParams
//   1 indptr          read        CSR row offsets, bound from absolute row params.indptrBase
//   2 indices         read        CSR column indices, bound from absolute entry params.entryBase
//   3 confidence      read        CSR values c_ui, same range as indices
//   4 rowFactors      read        X, bound from absolute element params.rowFactorsBase
//   5 otherFactors0   read        rows [0, params.rowsPerPage) of Y
//   6 otherFactors1   read        rows [params.rowsPerPage, params.otherRows) of Y, if any
//   7 lossPartials    read_write  one f32 per workgroup
//
// Precision: f32 per row and per workgroup; the loss is a diagnostic, reported to about 6 digits.

override FACTORS: u32 = 64u;
// Lanes per workgroup; a power of two.
override WORKGROUP_SIZE: u32 = 64u;

struct LossParams {
  rowStart: u32,
  rowCount: u32,
  indptrBase: u32,
  entryBase: u32,
  rowFactorsBase: u32,
  rowsPerPage: u32,
  otherRows: u32,
  slotBase: u32,
}

@group(0) @binding(0) var<uniform> params: LossParams;
@group(0) @binding(1) var<storage, read> indptr: array<u32>;
@group(0) @binding(2) var<storage, read> indices: array<u32>;
@group(0) @binding(3) var<storage, read> confidence: array<f32>;
@group(0) @binding(4) var<storage, read> rowFactors: array<f32>;
@group(0) @binding(5) var<storage, read> otherFactors0: array<f32>;
@group(0) @binding(6) var<storage, read> otherFactors1: array<f32>;
@group(0) @binding(7) var<storage, read_write> lossPartials: array<f32>;

var<workgroup> laneSums: array<f32, WORKGROUP_SIZE>;

// Returns Y[row][f] from whichever page holds the row.
fn loadOtherFactor(row: u32, f: u32) -> f32 {
  if (row < params.rowsPerPage) {
    return otherFactors0[row * FACTORS + f];
  }
  return otherFactors1[(row - params.rowsPerPage) * FACTORS + f];
}

// Returns the sum of term_ui over the stored entries of one row.
fn rowLoss(row: u32) -> f32 {
  let begin = indptr[row - params.indptrBase];
  let end = indptr[row + 1u - params.indptrBase];
  let rowOffset = row * FACTORS - params.rowFactorsBase;
  var sum = 0.0;
  for (var entry = begin; entry < end; entry += 1u) {
    let item = indices[entry - params.entryBase];
    if (item >= params.otherRows) {
      continue;
    }
    let c = confidence[entry - params.entryBase];
    var d = 0.0;
    for (var f = 0u; f < FACTORS; f += 1u) {
      d += rowFactors[rowOffset + f] * loadOtherFactor(item, f);
    }
    sum += ((c - 1.0) * d - 2.0 * c) * d + c;
  }
  return sum;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn accumulateLoss(
  @builtin(global_invocation_id) globalId: vec3<u32>,
  @builtin(workgroup_id) workgroupId: vec3<u32>,
  @builtin(local_invocation_index) lane: u32,
) {
  var value = 0.0;
  if (globalId.x < params.rowCount) {
    value = rowLoss(params.rowStart + globalId.x);
  }

  laneSums[lane] = value;
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride /= 2u) {
    workgroupBarrier();
    if (lane < stride) {
      laneSums[lane] += laneSums[lane + stride];
    }
  }
  if (lane == 0u) {
    lossPartials[params.slotBase + workgroupId.x] = laneSums[0];
  }
}
