// One ALS half-step by conjugate gradient, as in implicit's GPU solver: for each row u of the CSR
// confidence matrix (users when solving user factors, items when solving item factors),
//
//   A_u = YtY + sum_i (c_ui - 1) y_i y_i^T + lambda I,    b_u = sum_i c_ui y_i,
//
// summing over the row's stored entries, and params.cgSteps CG steps on A_u x_u = b_u start from the
// current x_u (warm start). A_u is never formed: A_u p = YtY p + lambda p + sum_i (c_ui - 1)(y_i . p) y_i.
// A row with no stored entries gets x_u = 0. A row whose residual or result is not finite is counted
// in solveStatus and written as zeros, and the host raises NumericError naming it.
//
// Dispatch shape: one workgroup per row of the chunk (workgroup x = row - params.rowStart), with
// WORKGROUP_SIZE lanes. Lane l owns factors l, l + WORKGROUP_SIZE, ..., so FACTORS need not be a
// multiple of the lane count. Every CG step gathers the row's item factors ITEM_TILE rows at a time
// into workgroup memory and uses each staged tile twice: once for the dots y_i . p (LANES_PER_ITEM
// lanes per item) and once for the update of A p.
//
// Bindings (group 0):
//   0 params          uniform     SolveParams
//   1 indptr          read        CSR row offsets, bound from absolute row params.indptrBase
//   2 indices         read        CSR column indices, bound from absolute entry params.entryBase
//   3 confidence      read        CSR values c_ui, same range as indices
//   4 gram            read        YtY, FACTORS x FACTORS, without lambda
//   5 otherFactors0   read        rows [0, params.rowsPerPage) of Y
//   6 otherFactors1   read        rows [params.rowsPerPage, params.otherRows) of Y, if any
//   7 solvedFactors   read_write  X, bound from absolute element params.solvedBase (row * FACTORS + f)
//   8 solveStatus     read_write  count and lowest index of rows with non-finite results
//
// Precision: f32 throughout; dots are summed in a fixed tree order, so one device gives the same
// result on every run.

override FACTORS: u32 = 64u;
// Lanes per workgroup; a power of two and a multiple of ITEM_TILE.
override WORKGROUP_SIZE: u32 = 64u;
// Item factor rows staged per gather step.
override ITEM_TILE: u32 = 8u;
override LANES_PER_ITEM: u32 = WORKGROUP_SIZE / ITEM_TILE;

// implicit's stopping threshold on r.r: below it the residual is treated as zero.
const SMALL_RESIDUAL: f32 = 1e-20;

struct SolveParams {
  // Absolute index of the chunk's first row.
  rowStart: u32,
  rowCount: u32,
  // Absolute row index of element 0 of the bound indptr range.
  indptrBase: u32,
  // Absolute entry index of element 0 of the bound indices and confidence ranges.
  entryBase: u32,
  // Absolute element index (row * FACTORS + f) of element 0 of the bound solvedFactors range.
  solvedBase: u32,
  rowsPerPage: u32,
  // Rows of Y; column indices at or past it are skipped.
  otherRows: u32,
  cgSteps: u32,
  regularization: f32,
  // Explicit padding to the 16-byte multiple that uniform structs take.
  padding0: u32,
  padding1: u32,
  padding2: u32,
}

struct SolveStatus {
  nonFiniteRows: atomic<u32>,
  // Lowest absolute row index with a non-finite result; the host initialises it to 0xffffffff.
  firstNonFiniteRow: atomic<u32>,
}

@group(0) @binding(0) var<uniform> params: SolveParams;
@group(0) @binding(1) var<storage, read> indptr: array<u32>;
@group(0) @binding(2) var<storage, read> indices: array<u32>;
@group(0) @binding(3) var<storage, read> confidence: array<f32>;
@group(0) @binding(4) var<storage, read> gram: array<f32>;
@group(0) @binding(5) var<storage, read> otherFactors0: array<f32>;
@group(0) @binding(6) var<storage, read> otherFactors1: array<f32>;
@group(0) @binding(7) var<storage, read_write> solvedFactors: array<f32>;
@group(0) @binding(8) var<storage, read_write> solveStatus: SolveStatus;

var<workgroup> solution: array<f32, FACTORS>;
var<workgroup> residual: array<f32, FACTORS>;
var<workgroup> direction: array<f32, FACTORS>;
// A * direction, or the residual while it is being built.
var<workgroup> product: array<f32, FACTORS>;
// itemTile[slot * FACTORS + f] = y_i[f] for the slot-th entry of the current tile.
var<workgroup> itemTile: array<f32, ITEM_TILE * FACTORS>;
var<workgroup> itemWeights: array<f32, ITEM_TILE>;
var<workgroup> laneSums: array<f32, WORKGROUP_SIZE>;

// Returns Y[row][f] from whichever page holds the row.
fn loadOtherFactor(row: u32, f: u32) -> f32 {
  if (row < params.rowsPerPage) {
    return otherFactors0[row * FACTORS + f];
  }
  return otherFactors1[(row - params.rowsPerPage) * FACTORS + f];
}

// Sums one value per lane over the workgroup; every lane gets the same (uniform) result.
fn workgroupSum(value: f32, lane: u32) -> f32 {
  workgroupBarrier();
  laneSums[lane] = value;
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride /= 2u) {
    workgroupBarrier();
    if (lane < stride) {
      laneSums[lane] += laneSums[lane + stride];
    }
  }
  return workgroupUniformLoad(&laneSums[0]);
}

// product = (YtY + lambda I) direction. The caller puts a barrier between writing direction and this.
fn applyDense(lane: u32) {
  for (var f = lane; f < FACTORS; f += WORKGROUP_SIZE) {
    var sum = params.regularization * direction[f];
    for (var k = 0u; k < FACTORS; k += 1u) {
      sum += gram[k * FACTORS + f] * direction[k];
    }
    product[f] = sum;
  }
}

// product += sum over entries i in [begin, end) of (confidenceScale * c_i + dotScale * (c_i - 1) * (y_i . direction)) * y_i.
// (1, -1) adds the sparse part of b - A x; (0, 1) adds the sparse part of A p.
fn accumulateSparse(lane: u32, begin: u32, end: u32, confidenceScale: f32, dotScale: f32) {
  for (var tileStart = begin; tileStart < end; tileStart += ITEM_TILE) {
    let tileCount = min(ITEM_TILE, end - tileStart);

    // Gather: consecutive lanes read consecutive floats of a row.
    workgroupBarrier();
    for (var element = lane; element < ITEM_TILE * FACTORS; element += WORKGROUP_SIZE) {
      let slot = element / FACTORS;
      var value = 0.0;
      if (slot < tileCount) {
        let item = indices[tileStart + slot - params.entryBase];
        if (item < params.otherRows) {
          value = loadOtherFactor(item, element - slot * FACTORS);
        }
      }
      itemTile[element] = value;
    }
    workgroupBarrier();

    // Dots: LANES_PER_ITEM lanes share one item, each summing a strided part of y_i . direction.
    let slot = lane / LANES_PER_ITEM;
    var partial = 0.0;
    for (var f = lane % LANES_PER_ITEM; f < FACTORS; f += LANES_PER_ITEM) {
      partial += itemTile[slot * FACTORS + f] * direction[f];
    }
    laneSums[lane] = partial;
    workgroupBarrier();
    if (lane < ITEM_TILE) {
      var dotValue = 0.0;
      for (var part = 0u; part < LANES_PER_ITEM; part += 1u) {
        dotValue += laneSums[lane * LANES_PER_ITEM + part];
      }
      var weight = 0.0;
      if (lane < tileCount) {
        let c = confidence[tileStart + lane - params.entryBase];
        weight = confidenceScale * c + dotScale * (c - 1.0) * dotValue;
      }
      itemWeights[lane] = weight;
    }
    workgroupBarrier();

    // Update: the same staged rows, now weighted.
    for (var f = lane; f < FACTORS; f += WORKGROUP_SIZE) {
      var sum = product[f];
      for (var s = 0u; s < ITEM_TILE; s += 1u) {
        sum += itemWeights[s] * itemTile[s * FACTORS + f];
      }
      product[f] = sum;
    }
  }
  workgroupBarrier();
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn solveRowsCg(
  @builtin(workgroup_id) workgroupId: vec3<u32>,
  @builtin(local_invocation_index) lane: u32,
) {
  if (workgroupId.x >= params.rowCount) {
    return;
  }
  let row = params.rowStart + workgroupId.x;
  let begin = indptr[row - params.indptrBase];
  let end = indptr[row + 1u - params.indptrBase];
  let rowOffset = row * FACTORS - params.solvedBase;

  // Empty rows get zero factors explicitly.
  if (begin == end) {
    for (var f = lane; f < FACTORS; f += WORKGROUP_SIZE) {
      solvedFactors[rowOffset + f] = 0.0;
    }
    return;
  }

  // r = b - A x = -(YtY + lambda I) x + sum_i (c_i - (c_i - 1)(y_i . x)) y_i, with direction = x.
  for (var f = lane; f < FACTORS; f += WORKGROUP_SIZE) {
    let value = solvedFactors[rowOffset + f];
    solution[f] = value;
    direction[f] = value;
  }
  workgroupBarrier();
  applyDense(lane);
  for (var f = lane; f < FACTORS; f += WORKGROUP_SIZE) {
    product[f] = -product[f];
  }
  accumulateSparse(lane, begin, end, 1.0, -1.0);

  var squaredNorm = 0.0;
  for (var f = lane; f < FACTORS; f += WORKGROUP_SIZE) {
    residual[f] = product[f];
    direction[f] = product[f];
    squaredNorm += product[f] * product[f];
  }
  var residualOld = workgroupSum(squaredNorm, lane);
  // A NaN residual would skip the loop and keep the old factors, so it marks the row as failed.
  let isResidualFinite = isFiniteF32(residualOld);

  // Standard CG; residualOld is uniform, so every lane leaves the loop together.
  if (isResidualFinite && residualOld >= SMALL_RESIDUAL) {
    for (var step = 0u; step < params.cgSteps; step += 1u) {
      workgroupBarrier();
      applyDense(lane);
      accumulateSparse(lane, begin, end, 0.0, 1.0);

      var curvature = 0.0;
      for (var f = lane; f < FACTORS; f += WORKGROUP_SIZE) {
        curvature += direction[f] * product[f];
      }
      let alpha = residualOld / workgroupSum(curvature, lane);

      squaredNorm = 0.0;
      for (var f = lane; f < FACTORS; f += WORKGROUP_SIZE) {
        solution[f] += alpha * direction[f];
        residual[f] -= alpha * product[f];
        squaredNorm += residual[f] * residual[f];
      }
      let residualNew = workgroupSum(squaredNorm, lane);
      if (residualNew < SMALL_RESIDUAL) {
        break;
      }
      for (var f = lane; f < FACTORS; f += WORKGROUP_SIZE) {
        direction[f] = residual[f] + (residualNew / residualOld) * direction[f];
      }
      residualOld = residualNew;
    }
  }

  // Finite check before write-back: a NaN here would spread through every later Gram matrix.
  var nonFinite = 0.0;
  for (var f = lane; f < FACTORS; f += WORKGROUP_SIZE) {
    nonFinite += select(0.0, 1.0, !isFiniteF32(solution[f]));
  }
  let isRowFinite = isResidualFinite && workgroupSum(nonFinite, lane) == 0.0;
  if (!isRowFinite && lane == 0u) {
    atomicAdd(&solveStatus.nonFiniteRows, 1u);
    atomicMin(&solveStatus.firstNonFiniteRow, row);
  }
  for (var f = lane; f < FACTORS; f += WORKGROUP_SIZE) {
    solvedFactors[rowOffset + f] = select(0.0, solution[f], isRowFinite);
  }
}
