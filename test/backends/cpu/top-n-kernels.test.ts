import { describe, expect, it } from 'vitest';
import {
  createTopNScratch,
  heapCapacity,
  ITEM_BLOCK,
  mergeTopN,
  offerToHeap,
  selectTopN,
  sortHeapBestFirst,
  type TopNInputs,
  type TopNRange,
} from '../../../src/backends/cpu/kernels/index.js';
import { randomFactors } from '../../helpers/small-matrices.js';

/** Full-sort reference: float32 scores, best first, ties to the lower index, skipping excluded items. */
function referenceTopN(inputs: TopNInputs, query: number, isExcluded: (item: number) => boolean): Array<[number, number]> {
  const { queries, itemFactors, factors } = inputs;
  const nItems = itemFactors.length / factors;
  const scored: Array<[number, number]> = [];
  for (let item = 0; item < nItems; item++) {
    if (isExcluded(item)) continue;
    let sum = 0;
    for (let f = 0; f < factors; f++) sum += queries[query * factors + f] * itemFactors[item * factors + f];
    scored.push([item, Math.fround(sum)]);
  }
  scored.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  return scored.slice(0, inputs.n);
}

function run(inputs: TopNInputs, nQueries: number, positions: number): { ids: Int32Array; scores: Float32Array } {
  const range: TopNRange = { queryStart: 0, queryEnd: nQueries, positionStart: 0, positionEnd: positions };
  const ids = new Int32Array(nQueries * inputs.n);
  const scores = new Float32Array(nQueries * inputs.n);
  selectTopN(inputs, range, { ids, scores, outRow: 0 }, createTopNScratch(heapCapacity(inputs.n, range)));
  return { ids, scores };
}

function row(result: { ids: Int32Array; scores: Float32Array }, n: number, query: number): Array<[number, number]> {
  return Array.from({ length: n }, (_, k) => [result.ids[query * n + k], result.scores[query * n + k]] as [number, number]);
}

describe('bounded heap', () => {
  it('keeps the best n of a stream in best-first order', () => {
    const ids = new Int32Array(3);
    const scores = new Float32Array(3);
    let size = 0;
    for (const [id, score] of [[0, 0.5], [1, 2], [2, -1], [3, 3], [4, 1]] as const) size = offerToHeap(ids, scores, 0, size, 3, id, score);
    sortHeapBestFirst(ids, scores, 0, size);
    expect(Array.from(ids)).toEqual([3, 1, 4]);
    expect(Array.from(scores)).toEqual([3, 2, 1]);
  });

  it('breaks equal scores toward the lower index whatever the arrival order', () => {
    const ids = new Int32Array(2);
    const scores = new Float32Array(2);
    let size = 0;
    for (const id of [7, 3, 9, 1, 5]) size = offerToHeap(ids, scores, 0, size, 2, id, 1);
    sortHeapBestFirst(ids, scores, 0, size);
    expect(Array.from(ids)).toEqual([1, 3]);
  });
});

describe('selectTopN', () => {
  const factors = 5;
  const nItems = 3 * ITEM_BLOCK + 17;
  const nQueries = 11;
  const itemFactors = randomFactors(nItems, factors, 1);
  const queries = randomFactors(nQueries, factors, 2);

  it('equals a full sort for every query', () => {
    const inputs: TopNInputs = { queries, itemFactors, factors, n: 25 };
    const result = run(inputs, nQueries, nItems);
    for (let q = 0; q < nQueries; q++) expect(row(result, 25, q)).toEqual(referenceTopN(inputs, q, () => false));
  });

  it('honours per-query exclusions, a global filter and candidates', () => {
    // Query q excludes items q, q + 100 and q + 300; items 5, 600 and 700 are filtered for everyone.
    const excludeIndptr = Uint32Array.from({ length: nQueries + 1 }, (_, q) => 3 * q);
    const excludeIndices = Uint32Array.from({ length: 3 * nQueries }, (_, k) => Math.floor(k / 3) + [0, 100, 300][k % 3]);
    const filterItems = Uint32Array.from([5, 600, 700]);
    const candidates = Uint32Array.from({ length: 400 }, (_, k) => 2 * k);
    const inputs: TopNInputs = { queries, itemFactors, factors, n: 30, excludeIndptr, excludeIndices, filterItems, candidates };
    const result = run(inputs, nQueries, candidates.length);
    for (let q = 0; q < nQueries; q++) {
      const isExcluded = (item: number) =>
        item % 2 === 1 || item >= 800 || [5, 600, 700].includes(item) || [q, q + 100, q + 300].includes(item);
      expect(row(result, 30, q)).toEqual(referenceTopN(inputs, q, isExcluded));
    }
  });

  it('ranks equal scores by lower item index', () => {
    // Items 0..9 all have the same factors, so they tie; item 10 scores higher.
    const tied = new Float32Array(11 * 2).fill(1);
    tied[20] = 2;
    tied[21] = 2;
    const result = run({ queries: Float32Array.from([1, 1]), itemFactors: tied, factors: 2, n: 4 }, 1, 11);
    expect(Array.from(result.ids)).toEqual([10, 0, 1, 2]);
  });

  it('pads with -1 and -Infinity when fewer items are eligible than n', () => {
    const candidates = Uint32Array.from([3, 9, 12]);
    const inputs: TopNInputs = { queries, itemFactors, factors, n: 5, candidates, filterItems: Uint32Array.from([9]) };
    const result = run(inputs, 1, candidates.length);
    expect(Array.from(result.ids.subarray(2))).toEqual([-1, -1, -1]);
    expect(Array.from(result.scores.subarray(2))).toEqual([-Infinity, -Infinity, -Infinity]);
    expect(new Set(result.ids.subarray(0, 2))).toEqual(new Set([3, 12]));
  });

  it('never returns a filtered or repeated item when everything is excluded', () => {
    const excludeIndices = Uint32Array.from({ length: 8 }, (_, k) => k);
    const inputs: TopNInputs = {
      queries: queries.subarray(0, factors),
      itemFactors: itemFactors.subarray(0, 10 * factors),
      factors,
      n: 10,
      excludeIndptr: Uint32Array.from([0, 8]),
      excludeIndices,
      filterItems: Uint32Array.from([8]),
    };
    const result = run(inputs, 1, 10);
    expect(Array.from(result.ids)).toEqual([9, -1, -1, -1, -1, -1, -1, -1, -1, -1]);
  });

  it('merges per-range results into the single-pass result', () => {
    const inputs: TopNInputs = { queries, itemFactors, factors, n: 12 };
    const whole = run(inputs, nQueries, nItems);
    const bounds = [0, 300, 301, nItems];
    const parts = { ids: new Int32Array(3 * nQueries * 12), scores: new Float32Array(3 * nQueries * 12) };
    for (let part = 0; part < 3; part++) {
      const range = { queryStart: 0, queryEnd: nQueries, positionStart: bounds[part], positionEnd: bounds[part + 1] };
      selectTopN(inputs, range, { ...parts, outRow: part * nQueries }, createTopNScratch(heapCapacity(12, range)));
    }
    const merged = { ids: new Int32Array(nQueries * 12), scores: new Float32Array(nQueries * 12) };
    mergeTopN(parts, 3, nQueries, 12, merged, { ids: new Int32Array(12), scores: new Float32Array(12) });
    expect(merged).toEqual(whole);
  });
});
