// Exact top-N of one query by pruning. Items are visited in descending norm order, in panels of
// PANEL_ITEMS, and each item passes three tests before it is scored exactly:
//   1. Cauchy-Schwarz: x . y <= |x| |y|. Once that bound of a panel's first (largest) norm falls
//      below the kept N-th score, no later item can enter, and the scan stops.
//   2. Head bound: with Q an orthonormal F x HEAD_SIZE basis (the leading directions of the item
//      factors), x . y <= (Q^T x) . (Q^T y) + |x_perp| |y_perp|, from HEAD_SIZE stored values per item.
//   3. A float32 dot product of the full rows.
// Survivors are scored exactly as the TypeScript kernel scores them (float64 sum in factor order,
// rounded to float32), so results match it bit for bit. Every bound adds a slack of
// (BOUND_SLACK + F BOUND_SLACK_PER_FACTOR) |x| |y|, more than the rounding error it covers. The
// threshold is lowered by THRESHOLD_RELATIVE and THRESHOLD_ABSOLUTE, so an item whose rounded score
// ties the N-th one is never pruned.

import { offerToHeap, sortHeapBestFirst } from './heap';
import { dotF32 } from './vector';

/** Projected coordinates stored per item; the basis has this many columns (zero columns when factors is smaller). */
const HEAD_SIZE = 8;
/** Items per panel, one per float32 lane. */
const PANEL_ITEMS = 4;
/** Bytes of one panel: HEAD_SIZE head vectors, then the perpendicular norms, then the norms, 16 bytes each. */
const PANEL_BYTES = (HEAD_SIZE + 2) * 16;
const PERPENDICULAR_OFFSET = HEAD_SIZE * 16;
const NORM_OFFSET = (HEAD_SIZE + 1) * 16;
/**
 * Slack of every bound, in units of |x| |y|, before the part that grows with the factor count. It
 * covers the float32 rounding of the head bound (a few 2^-24) and of the float64 exact sum.
 */
const BOUND_SLACK: f64 = 1e-5;
/**
 * Slack added per factor: a float32 dot product of F terms errs by at most (F - 1) 2^-24 |x| |y|,
 * whatever the order of the sums.
 */
const BOUND_SLACK_PER_FACTOR: f64 = 5.97e-8;
/** Relative and absolute lowering of the threshold: float32 rounding of a score moves it by under 2^-24 relative. */
const THRESHOLD_RELATIVE: f32 = 1e-6;
const THRESHOLD_ABSOLUTE: f32 = 1e-30;
/** Position of padding at the end of the last panel. */
const NO_ITEM: u32 = 0xffffffff;

/** Returns HEAD_SIZE, the columns of the basis. */
export function headSize(): i32 {
  return HEAD_SIZE;
}

/** Returns PANEL_BYTES, the bytes of one panel of PANEL_ITEMS items. */
export function panelBytes(): i32 {
  return PANEL_BYTES;
}

/** Returns the smallest float32 at or above `value` (>= 0), with slack for the float64 error of `value`. */
// @ts-ignore: decorator
@inline
function roundUpF32(value: f64): f32 {
  return <f32>(value * (1 + 1e-6));
}

/**
 * Fills nPositions / PANEL_ITEMS panels. Position p is item order[p] (NO_ITEM for padding), stored as
 * its HEAD_SIZE projections Q^T y (float32), |y_perp| and |y| rounded up. `basis` is Q, float64
 * factors x HEAD_SIZE row-major, with orthonormal columns.
 */
export function buildPanels(items: usize, factors: i32, order: usize, nPositions: i32, basis: usize, panels: usize): void {
  for (let position = 0; position < nPositions; position++) {
    const panel = panels + <usize>(position / PANEL_ITEMS) * PANEL_BYTES;
    const lane = <usize>(position % PANEL_ITEMS) << 2;
    const item = load<u32>(order + (<usize>position << 2));
    if (item == NO_ITEM) {
      for (let j = 0; j < HEAD_SIZE + 2; j++) store<f32>(panel + (<usize>j << 4) + lane, 0);
      continue;
    }
    const row = items + (<usize>item * factors << 2);
    let squaredNorm: f64 = 0;
    for (let f = 0; f < factors; f++) {
      const value = <f64>load<f32>(row + (<usize>f << 2));
      squaredNorm += value * value;
    }
    let headSquared: f64 = 0;
    for (let j = 0; j < HEAD_SIZE; j++) {
      const projection = projectRow(row, factors, basis, j);
      headSquared += projection * projection;
      store<f32>(panel + (<usize>j << 4) + lane, <f32>projection);
    }
    store<f32>(panel + PERPENDICULAR_OFFSET + lane, roundUpF32(perpendicularNorm(squaredNorm, headSquared)));
    store<f32>(panel + NORM_OFFSET + lane, roundUpF32(Math.sqrt(squaredNorm)));
  }
}

/**
 * Returns an upper bound of |v_perp| = sqrt(|v|^2 - |Q^T v|^2). The inflation by 1e-12 |v|^2 covers
 * the cancellation in the difference and columns of Q that are orthonormal only to about 1e-15.
 */
// @ts-ignore: decorator
@inline
function perpendicularNorm(squaredNorm: f64, headSquared: f64): f64 {
  return Math.sqrt(max<f64>(0, squaredNorm * (1 + 1e-12) - headSquared * (1 - 1e-12)));
}

/** Returns column j of Q^T v for a float32 row v, in float64. */
// @ts-ignore: decorator
@inline
function projectRow(row: usize, factors: i32, basis: usize, j: i32): f64 {
  let projection: f64 = 0;
  for (let f = 0; f < factors; f++) projection += <f64>load<f32>(row + (<usize>f << 2)) * load<f64>(basis + (<usize>(f * HEAD_SIZE + j) << 3));
  return projection;
}

/** Returns true when `item` is in the ascending list values[0 .. length). */
function isListed(values: usize, length: i32, item: u32): bool {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const value = load<u32>(values + (<usize>mid << 2));
    if (value == item) return true;
    if (value < item) lo = mid + 1;
    else hi = mid;
  }
  return false;
}

/** Returns x . y summed in float64 in factor order, exactly as the TypeScript scoring kernel sums it. */
// @ts-ignore: decorator
@inline
function exactScore(x: usize, y: usize, factors: i32): f64 {
  let sum: f64 = 0;
  for (let f = 0; f < factors; f++) sum += <f64>load<f32>(x + (<usize>f << 2)) * <f64>load<f32>(y + (<usize>f << 2));
  return sum;
}

/**
 * Writes the top n items of `query` (factors float32) to outIds / outScores, best first, ties to the
 * lower item, padded with -1 and -Infinity. Items in the ascending lists `exclude` and `filter` and
 * NaN scores never appear. `capacity` = min(n, nItems) pairs of heap space are at heapIds / heapScores.
 * The item factors must be finite and |x| max |y| small enough that no float32 product overflows.
 * Returns the number of panels visited.
 */
export function topNQuery(
  items: usize,
  factors: i32,
  order: usize,
  panels: usize,
  nPanels: i32,
  basis: usize,
  query: usize,
  n: i32,
  capacity: i32,
  exclude: usize,
  excludeLength: i32,
  filter: usize,
  filterLength: i32,
  heapIds: usize,
  heapScores: usize,
  outIds: usize,
  outScores: usize,
): i32 {
  // The query's norm, projections g = Q^T x and perpendicular norm, in float64.
  let squaredNorm: f64 = 0;
  for (let f = 0; f < factors; f++) {
    const value = <f64>load<f32>(query + (<usize>f << 2));
    squaredNorm += value * value;
  }
  const queryNorm = Math.sqrt(squaredNorm);
  const h0 = projectRow(query, factors, basis, 0);
  const h1 = projectRow(query, factors, basis, 1);
  const h2 = projectRow(query, factors, basis, 2);
  const h3 = projectRow(query, factors, basis, 3);
  const h4 = projectRow(query, factors, basis, 4);
  const h5 = projectRow(query, factors, basis, 5);
  const h6 = projectRow(query, factors, basis, 6);
  const h7 = projectRow(query, factors, basis, 7);
  const headSquared = h0 * h0 + h1 * h1 + h2 * h2 + h3 * h3 + h4 * h4 + h5 * h5 + h6 * h6 + h7 * h7;
  const g0 = f32x4.splat(<f32>h0);
  const g1 = f32x4.splat(<f32>h1);
  const g2 = f32x4.splat(<f32>h2);
  const g3 = f32x4.splat(<f32>h3);
  const g4 = f32x4.splat(<f32>h4);
  const g5 = f32x4.splat(<f32>h5);
  const g6 = f32x4.splat(<f32>h6);
  const g7 = f32x4.splat(<f32>h7);
  const perpendicular = f32x4.splat(roundUpF32(perpendicularNorm(squaredNorm, headSquared)));
  const relativeSlack = BOUND_SLACK + BOUND_SLACK_PER_FACTOR * <f64>factors;
  const slackPerNorm = <f32>(relativeSlack * queryNorm);
  const slack = f32x4.splat(slackPerNorm);
  const stopFactor = queryNorm * (1 + relativeSlack);

  let size = 0;
  let threshold: f32 = -Infinity;
  let panel = 0;
  for (; panel < nPanels; panel++) {
    const base = panels + <usize>panel * PANEL_BYTES;
    // Test 1 on the panel's first item, whose norm is the largest left.
    if (size == capacity && <f64>load<f32>(base + NORM_OFFSET) * stopFactor < <f64>threshold) break;

    // Test 2 on the panel's four items: bound = g . h + |x_perp| |y_perp| + slack |y|.
    let bound = f32x4.add(f32x4.mul(g0, v128.load(base)), f32x4.mul(g1, v128.load(base, 16)));
    let boundB = f32x4.add(f32x4.mul(g2, v128.load(base, 32)), f32x4.mul(g3, v128.load(base, 48)));
    bound = f32x4.add(bound, f32x4.add(f32x4.mul(g4, v128.load(base, 64)), f32x4.mul(g5, v128.load(base, 80))));
    boundB = f32x4.add(boundB, f32x4.add(f32x4.mul(g6, v128.load(base, 96)), f32x4.mul(g7, v128.load(base, 112))));
    bound = f32x4.add(f32x4.add(bound, boundB), f32x4.add(f32x4.mul(perpendicular, v128.load(base, PERPENDICULAR_OFFSET)), f32x4.mul(slack, v128.load(base, NORM_OFFSET))));
    let lanes = i32x4.bitmask(f32x4.ge(bound, f32x4.splat(threshold)));

    while (lanes != 0) {
      const lane = ctz(lanes);
      lanes &= lanes - 1;
      const item = load<u32>(order + (<usize>(panel * PANEL_ITEMS + lane) << 2));
      if (item == NO_ITEM) continue;
      const row = items + (<usize>item * factors << 2);
      // Test 3: the float32 dot product plus its error bound.
      if (dotF32(query, row, factors) + slackPerNorm * load<f32>(base + NORM_OFFSET + (<usize>lane << 2)) < threshold) continue;
      if (isListed(exclude, excludeLength, item) || isListed(filter, filterLength, item)) continue;

      const score = <f32>exactScore(query, row, factors);
      if (score != score) continue;
      size = offerToHeap(heapIds, heapScores, size, capacity, <i32>item, score);
      if (size == capacity) {
        const worst = load<f32>(heapScores);
        threshold = worst - (Mathf.abs(worst) * THRESHOLD_RELATIVE + THRESHOLD_ABSOLUTE);
      }
    }
  }

  sortHeapBestFirst(heapIds, heapScores, size);
  for (let k = 0; k < n; k++) {
    const isKept = k < size;
    store<i32>(outIds + (<usize>k << 2), isKept ? load<i32>(heapIds + (<usize>k << 2)) : -1);
    store<f32>(outScores + (<usize>k << 2), isKept ? load<f32>(heapScores + (<usize>k << 2)) : -Infinity);
  }
  return panel;
}
