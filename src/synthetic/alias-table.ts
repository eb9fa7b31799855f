// Walker's alias method (with Vose's stable construction): O(n) to build, O(1) per draw from a discrete
// distribution. Many small tables share three flat arrays, one segment per distribution.

import type { Random } from '../random.js';

/** Alias tables for several distributions, each stored in its own segment of shared arrays. */
export class AliasTables {
  /** Probability of keeping the drawn column rather than jumping to its alias, per column. */
  readonly keep: Float64Array;
  /** Alias of each column, as an index local to its segment. */
  readonly alias: Uint32Array;
  /** Segment s covers columns [segmentStart[s], segmentStart[s + 1]). */
  readonly segmentStart: Uint32Array;

  /**
   * Builds one table per segment of `weights`. `segmentStart` has one more entry than there are
   * segments. Weights must be finite and >= 0; a segment whose weights sum to 0 is drawn uniformly.
   */
  constructor(weights: Float64Array, segmentStart: Uint32Array) {
    this.keep = new Float64Array(weights.length);
    this.alias = new Uint32Array(weights.length);
    this.segmentStart = segmentStart;
    const small = new Uint32Array(weights.length);
    const large = new Uint32Array(weights.length);
    for (let s = 0; s + 1 < segmentStart.length; s++) {
      this.buildSegment(weights, segmentStart[s], segmentStart[s + 1] - segmentStart[s], small, large);
    }
  }

  /** Draws a column of segment `segment`; returns its index local to the segment. */
  sample(segment: number, random: Random): number {
    const start = this.segmentStart[segment];
    const size = this.segmentStart[segment + 1] - start;
    const column = random.nextInt(size);
    return random.next() < this.keep[start + column] ? column : this.alias[start + column];
  }

  /** Size of segment `segment`. */
  segmentSize(segment: number): number {
    return this.segmentStart[segment + 1] - this.segmentStart[segment];
  }

  private buildSegment(weights: Float64Array, start: number, size: number, small: Uint32Array, large: Uint32Array): void {
    if (size === 0) return;
    let total = 0;
    for (let k = 0; k < size; k++) total += weights[start + k];

    // Scale so the mean column has weight exactly 1. Columns below 1 are topped up from columns above 1.
    const keep = this.keep;
    let smallCount = 0;
    let largeCount = 0;
    for (let k = 0; k < size; k++) {
      keep[start + k] = total > 0 ? (weights[start + k] * size) / total : 1;
      if (keep[start + k] < 1) small[smallCount++] = k;
      else large[largeCount++] = k;
    }
    while (smallCount > 0 && largeCount > 0) {
      const less = small[--smallCount];
      const more = large[largeCount - 1];
      this.alias[start + less] = more;
      keep[start + more] -= 1 - keep[start + less];
      if (keep[start + more] < 1) {
        largeCount--;
        small[smallCount++] = more;
      }
    }
    // Whatever remains is 1 up to rounding error.
    while (largeCount > 0) keep[start + large[--largeCount]] = 1;
    while (smallCount > 0) keep[start + small[--smallCount]] = 1;
  }
}
