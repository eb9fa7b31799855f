// Gram matrix of a factor matrix: G = Y^T Y (factors x factors), for example itemGram = YtY.
//
// Formula: G[a][b] = sum over rows r of Y[r][a] * Y[r][b].
//
// Two entry points:
//   accumulateGram  writes partial sums. The rows of the bound factor range are cut into row groups
//                   of params.rowsPerGroup rows, and each group writes its own F x F slot of
//                   gramPartials. Dispatch shape: x = one workgroup per TILE x TILE output block on or
//                   above the block diagonal (G is symmetric, so blocks below it are not computed),
//                   y = one workgroup per row group. Workgroup: TILE x TILE lanes, one output element
//                   each. Every step stages CHUNK_ROWS rows of the two column strips in workgroup
//                   memory, so each factor value is read from global memory once per block.
//   reduceGram      sums the partial slots into gram. Lower blocks read the mirrored upper element.
//                   Dispatch shape: one lane per element of G, REDUCE_WORKGROUP_SIZE lanes per group.
//
// Bindings (group 0):
//   0 params        uniform     GramParams
//   1 factorRows    read        rows of Y, row-major, params.rowCount rows of FACTORS floats
//   2 gramPartials  read_write  partial slots, slot s at s * FACTORS * FACTORS, row-major
//   3 gram          read_write  the result, FACTORS x FACTORS, row-major
//
// Precision: f32 accumulation. Each lane sums at most rowsPerGroup products, and reduceGram adds the
// group sums, so the rounding error grows with rowsPerGroup + slotCount, not with the row count.

override FACTORS: u32 = 64u;
// Side of an output block; the accumulate workgroup has TILE * TILE lanes.
override TILE: u32 = 16u;
// Rows staged in workgroup memory per step.
override CHUNK_ROWS: u32 = 16u;
override REDUCE_WORKGROUP_SIZE: u32 = 64u;

struct GramParams {
  // Rows in the bound factorRows range.
  rowCount: u32,
  rowsPerGroup: u32,
  // Output blocks per side: ceil(FACTORS / TILE).
  blocksPerSide: u32,
  // Upper-triangle block index of workgroup x = 0 in this dispatch (dispatches are split by the host).
  blockOffset: u32,
  // Row group of workgroup y = 0 in this dispatch.
  groupOffset: u32,
  // Partial slot written by row group 0 of the bound range.
  slotBase: u32,
  // Partial slots that reduceGram sums.
  slotCount: u32,
  // Explicit padding to the 16-byte multiple that uniform structs take.
  padding0: u32,
}

@group(0) @binding(0) var<uniform> params: GramParams;
@group(0) @binding(1) var<storage, read> factorRows: array<f32>;
@group(0) @binding(2) var<storage, read_write> gramPartials: array<f32>;
@group(0) @binding(3) var<storage, read_write> gram: array<f32>;

// Column strips of the staged rows: stagedLeft[k * TILE + t] = Y[chunkStart + k][blockRow * TILE + t].
var<workgroup> stagedLeft: array<f32, CHUNK_ROWS * TILE>;
var<workgroup> stagedRight: array<f32, CHUNK_ROWS * TILE>;

// Returns Y[row][column], or 0 outside the row group or past the last factor (partial blocks).
fn loadFactor(row: u32, column: u32, rowEnd: u32) -> f32 {
  if (row >= rowEnd || column >= FACTORS) {
    return 0.0;
  }
  return factorRows[row * FACTORS + column];
}

// Maps an index over the upper-triangle blocks, enumerated row by row, to (blockRow, blockCol).
fn upperBlock(index: u32) -> vec2<u32> {
  var remaining = index;
  var blockRow = 0u;
  loop {
    let rowLength = params.blocksPerSide - blockRow;
    if (remaining < rowLength || blockRow + 1u >= params.blocksPerSide) {
      break;
    }
    remaining -= rowLength;
    blockRow += 1u;
  }
  return vec2<u32>(blockRow, blockRow + remaining);
}

@compute @workgroup_size(TILE, TILE)
fn accumulateGram(
  @builtin(workgroup_id) workgroupId: vec3<u32>,
  @builtin(local_invocation_id) localId: vec3<u32>,
) {
  let block = upperBlock(params.blockOffset + workgroupId.x);
  let group = params.groupOffset + workgroupId.y;
  let rowStart = group * params.rowsPerGroup;
  let rowEnd = min(rowStart + params.rowsPerGroup, params.rowCount);
  let lane = localId.y * TILE + localId.x;

  // This lane accumulates G[outRow][outColumn] over the group's rows.
  var sum = 0.0;
  for (var chunkStart = rowStart; chunkStart < rowEnd; chunkStart += CHUNK_ROWS) {
    for (var element = lane; element < CHUNK_ROWS * TILE; element += TILE * TILE) {
      let row = chunkStart + element / TILE;
      let offset = element % TILE;
      stagedLeft[element] = loadFactor(row, block.x * TILE + offset, rowEnd);
      stagedRight[element] = loadFactor(row, block.y * TILE + offset, rowEnd);
    }
    workgroupBarrier();
    for (var k = 0u; k < CHUNK_ROWS; k += 1u) {
      sum += stagedLeft[k * TILE + localId.y] * stagedRight[k * TILE + localId.x];
    }
    workgroupBarrier();
  }

  let outRow = block.x * TILE + localId.y;
  let outColumn = block.y * TILE + localId.x;
  if (outRow < FACTORS && outColumn < FACTORS) {
    let slot = params.slotBase + group;
    gramPartials[slot * FACTORS * FACTORS + outRow * FACTORS + outColumn] = sum;
  }
}

@compute @workgroup_size(REDUCE_WORKGROUP_SIZE)
fn reduceGram(@builtin(global_invocation_id) globalId: vec3<u32>) {
  let index = globalId.x;
  if (index >= FACTORS * FACTORS) {
    return;
  }
  let row = index / FACTORS;
  let column = index % FACTORS;

  // accumulateGram wrote only blocks with blockRow <= blockCol; G is symmetric.
  var source = index;
  if (row / TILE > column / TILE) {
    source = column * FACTORS + row;
  }
  var sum = 0.0;
  for (var slot = 0u; slot < params.slotCount; slot += 1u) {
    sum += gramPartials[slot * FACTORS * FACTORS + source];
  }
  gram[index] = sum;
}
