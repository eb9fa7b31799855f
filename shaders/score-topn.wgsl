// Batched scoring with per-query top-N selection on the device:
//
//   score(q, i) = query_q . y_i,   result_q = the n eligible items of highest score,
//
// ordered by descending score with ties to the lower item index. An item is eligible when it is in
// the candidate list (or any item when there is none), not in filterItems and not in the query's
// exclude row. Rows with fewer than n eligible items are padded with id -1 (the host turns their score
// into -Infinity). NaN scores are never selected, and a score of -Infinity is raised to LOWEST_F32,
// which still ranks it before the empty slots (same score, lower id than SENTINEL_ID).
//
// Dispatch shape: one workgroup per query (workgroup x = query - params.queryStart), WORKGROUP_SIZE
// lanes. The workgroup walks the item list in tiles of WORKGROUP_SIZE items, one item per lane, in
// increasing item order. Lanes whose score beats the current n-th best append it to a pending list in
// workgroup memory. When the pending list could overflow on the next tile, and once at the end, a
// bitonic sort of [top list | pending list] (2 * TOP_CAPACITY entries) rebuilds the top list. After
// the first tiles few scores beat the n-th best, so sorts become rare. Exclusions are found by binary
// search in the sorted exclude and filter lists, within the part of each list that falls in the
// tile's item range; a cursor per list moves forward tile by tile.
// NOTE: every workgroup reads all item rows for its single query, so memory traffic grows as
// queries x items x FACTORS. Sharing staged item tiles among several queries per workgroup would
// cut it; that is not done yet.
//
// Bindings (group 0):
//   0 params          uniform     TopNParams
//   1 queries         read        query vectors, bound from absolute element params.queryBase
//   2 itemFactors0    read        rows [0, params.rowsPerPage) of the item factors
//   3 itemFactors1    read        rows [params.rowsPerPage, params.itemCount), if any
//   4 excludeIndptr   read        per-query exclude rows, bound from absolute query params.excludeIndptrBase
//   5 excludeIndices  read        sorted excluded items per query, bound from absolute entry params.excludeEntryBase
//   6 filterItems     read        items excluded for every query, sorted ascending
//   7 candidates      read        the only items scored when params.hasCandidates is 1, sorted ascending
//   8 topEntries      read_write  n entries per query, bound from absolute entry params.resultBase
//
// Precision: each score is an f32 dot product summed in factor order; ties compare those f32 values.

override FACTORS: u32 = 64u;
// Lanes per workgroup, a power of two, at most TOP_CAPACITY.
override WORKGROUP_SIZE: u32 = 128u;
// Capacity of the top list and of the pending list; a power of two, at least n.
override TOP_CAPACITY: u32 = 256u;

struct TopNParams {
  // Absolute index of the dispatch's first query.
  queryStart: u32,
  queryCount: u32,
  queryBase: u32,
  resultBase: u32,
  excludeIndptrBase: u32,
  excludeEntryBase: u32,
  // 0 when the request has no exclude rows (the exclude bindings then hold placeholders).
  hasExclusions: u32,
  n: u32,
  itemCount: u32,
  rowsPerPage: u32,
  filterCount: u32,
  candidateCount: u32,
  hasCandidates: u32,
  // Explicit padding to the 16-byte multiple that uniform structs take.
  padding0: u32,
  padding1: u32,
  padding2: u32,
}

struct TopNEntry {
  id: i32,
  score: f32,
}

@group(0) @binding(0) var<uniform> params: TopNParams;
@group(0) @binding(1) var<storage, read> queries: array<f32>;
@group(0) @binding(2) var<storage, read> itemFactors0: array<f32>;
@group(0) @binding(3) var<storage, read> itemFactors1: array<f32>;
@group(0) @binding(4) var<storage, read> excludeIndptr: array<u32>;
@group(0) @binding(5) var<storage, read> excludeIndices: array<u32>;
@group(0) @binding(6) var<storage, read> filterItems: array<u32>;
@group(0) @binding(7) var<storage, read> candidates: array<u32>;
@group(0) @binding(8) var<storage, read_write> topEntries: array<TopNEntry>;

var<workgroup> queryVector: array<f32, FACTORS>;
// [0, TOP_CAPACITY) is the top list, best first, and [TOP_CAPACITY, 2 * TOP_CAPACITY) the pending list.
// Empty slots hold (LOWEST_F32, SENTINEL_ID).
var<workgroup> sortScores: array<f32, 2u * TOP_CAPACITY>;
var<workgroup> sortIds: array<u32, 2u * TOP_CAPACITY>;
var<workgroup> pendingCount: atomic<u32>;
// Copy of pendingCount for workgroupUniformLoad, which takes no atomics.
var<workgroup> pendingTotal: u32;
// Score of the n-th best so far; meaningful only when isFull is 1.
var<workgroup> threshold: f32;
var<workgroup> isFull: u32;
// Absolute positions in excludeIndices and filterItems: [cursor, stop) covers the current tile.
var<workgroup> excludeCursor: u32;
var<workgroup> excludeStop: u32;
var<workgroup> filterCursor: u32;
var<workgroup> filterStop: u32;

fn itemAt(position: u32) -> u32 {
  if (params.hasCandidates == 1u) {
    return candidates[position];
  }
  return position;
}

fn itemScore(item: u32) -> f32 {
  var sum = 0.0;
  if (item < params.rowsPerPage) {
    for (var f = 0u; f < FACTORS; f += 1u) {
      sum += queryVector[f] * itemFactors0[item * FACTORS + f];
    }
  } else {
    let row = item - params.rowsPerPage;
    for (var f = 0u; f < FACTORS; f += 1u) {
      sum += queryVector[f] * itemFactors1[row * FACTORS + f];
    }
  }
  return sum;
}

// First position in [begin, end) of the sorted excludeIndices whose item is not below `item`.
fn excludeLowerBound(begin: u32, end: u32, item: u32) -> u32 {
  var low = begin;
  var high = end;
  while (low < high) {
    let middle = (low + high) / 2u;
    if (excludeIndices[middle - params.excludeEntryBase] < item) { low = middle + 1u; } else { high = middle; }
  }
  return low;
}

// First position in [begin, end) of filterItems whose item is not below `item`.
fn filterLowerBound(begin: u32, end: u32, item: u32) -> u32 {
  var low = begin;
  var high = end;
  while (low < high) {
    let middle = (low + high) / 2u;
    if (filterItems[middle] < item) { low = middle + 1u; } else { high = middle; }
  }
  return low;
}

// True when (scoreA, idA) ranks before (scoreB, idB): higher score, then lower id.
fn ranksBefore(scoreA: f32, idA: u32, scoreB: f32, idB: u32) -> bool {
  return scoreA > scoreB || (scoreA == scoreB && idA < idB);
}

// Sorts top and pending lists together, best first, then empties the pending list.
fn flushPending(lane: u32) {
  for (var blockSize = 2u; blockSize <= 2u * TOP_CAPACITY; blockSize *= 2u) {
    for (var distance = blockSize / 2u; distance > 0u; distance /= 2u) {
      workgroupBarrier();
      for (var i = lane; i < 2u * TOP_CAPACITY; i += WORKGROUP_SIZE) {
        let partner = i ^ distance;
        if (partner > i) {
          // Blocks with (i & blockSize) == 0 put the better entry first, the others last.
          let isBestFirst = (i & blockSize) == 0u;
          let partnerFirst = ranksBefore(sortScores[partner], sortIds[partner], sortScores[i], sortIds[i]);
          let selfFirst = ranksBefore(sortScores[i], sortIds[i], sortScores[partner], sortIds[partner]);
          if ((isBestFirst && partnerFirst) || (!isBestFirst && selfFirst)) {
            let score = sortScores[i];
            let id = sortIds[i];
            sortScores[i] = sortScores[partner];
            sortIds[i] = sortIds[partner];
            sortScores[partner] = score;
            sortIds[partner] = id;
          }
        }
      }
    }
  }
  workgroupBarrier();
  for (var i = TOP_CAPACITY + lane; i < 2u * TOP_CAPACITY; i += WORKGROUP_SIZE) {
    sortScores[i] = LOWEST_F32;
    sortIds[i] = SENTINEL_ID;
  }
  if (lane == 0u) {
    atomicStore(&pendingCount, 0u);
    pendingTotal = 0u;
    threshold = sortScores[params.n - 1u];
    isFull = select(0u, 1u, sortIds[params.n - 1u] != SENTINEL_ID);
  }
  workgroupBarrier();
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn scoreTopN(
  @builtin(workgroup_id) workgroupId: vec3<u32>,
  @builtin(local_invocation_index) lane: u32,
) {
  if (workgroupId.x >= params.queryCount) {
    return;
  }
  let query = params.queryStart + workgroupId.x;
  var excludeEnd = 0u;
  if (params.hasExclusions == 1u) {
    excludeEnd = excludeIndptr[query + 1u - params.excludeIndptrBase];
  }

  // Initialise: the query vector, empty lists (score -Infinity, SENTINEL_ID) and the cursors.
  for (var f = lane; f < FACTORS; f += WORKGROUP_SIZE) {
    queryVector[f] = queries[query * FACTORS + f - params.queryBase];
  }
  for (var i = lane; i < 2u * TOP_CAPACITY; i += WORKGROUP_SIZE) {
    sortScores[i] = LOWEST_F32;
    sortIds[i] = SENTINEL_ID;
  }
  if (lane == 0u) {
    atomicStore(&pendingCount, 0u);
    pendingTotal = 0u;
    isFull = 0u;
    threshold = 0.0;
    excludeCursor = excludeEnd;
    if (params.hasExclusions == 1u) {
      excludeCursor = excludeIndptr[query - params.excludeIndptrBase];
    }
    filterCursor = 0u;
  }

  let total = select(params.itemCount, params.candidateCount, params.hasCandidates == 1u);
  for (var tileStart = 0u; tileStart < total; tileStart += WORKGROUP_SIZE) {
    let tileEnd = min(tileStart + WORKGROUP_SIZE, total);
    workgroupBarrier();
    if (lane == 0u) {
      let lastItem = itemAt(tileEnd - 1u);
      // Items past lastItem belong to later tiles; item ids stay below itemCount, so + 1 cannot wrap.
      excludeStop = excludeLowerBound(excludeCursor, excludeEnd, lastItem + 1u);
      filterStop = filterLowerBound(filterCursor, params.filterCount, lastItem + 1u);
    }
    workgroupBarrier();

    let position = tileStart + lane;
    if (position < tileEnd) {
      let item = itemAt(position);
      let excludeAt = excludeLowerBound(excludeCursor, excludeStop, item);
      let isExcluded = excludeAt < excludeStop && excludeIndices[excludeAt - params.excludeEntryBase] == item;
      let filterAt = filterLowerBound(filterCursor, filterStop, item);
      let isFiltered = filterAt < filterStop && filterItems[filterAt] == item;
      if (item < params.itemCount && !isExcluded && !isFiltered) {
        let rawScore = itemScore(item);
        let score = max(rawScore, LOWEST_F32);
        if (!isNanF32(rawScore) && (isFull == 0u || score > threshold)) {
          let slot = atomicAdd(&pendingCount, 1u);
          sortScores[TOP_CAPACITY + slot] = score;
          sortIds[TOP_CAPACITY + slot] = item;
        }
      }
    }
    workgroupBarrier();

    if (lane == 0u) {
      excludeCursor = excludeStop;
      filterCursor = filterStop;
      pendingTotal = atomicLoad(&pendingCount);
    }
    // The next tile may add WORKGROUP_SIZE entries; sort now unless they are sure to fit.
    if (workgroupUniformLoad(&pendingTotal) + WORKGROUP_SIZE > TOP_CAPACITY) {
      flushPending(lane);
    }
  }
  if (workgroupUniformLoad(&pendingTotal) > 0u) {
    flushPending(lane);
  }

  // Write n entries; empty slots become id -1.
  let resultStart = query * params.n - params.resultBase;
  for (var j = lane; j < params.n; j += WORKGROUP_SIZE) {
    var entry = TopNEntry(-1, LOWEST_F32);
    if (sortIds[j] != SENTINEL_ID) {
      entry = TopNEntry(i32(sortIds[j]), sortScores[j]);
    }
    topEntries[resultStart + j] = entry;
  }
}
