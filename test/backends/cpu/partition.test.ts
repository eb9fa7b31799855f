import { describe, expect, it } from 'vitest';
import { countChunks, partitionRowsByNnz, REDUCTION_CHUNK_ROWS, splitEvenly } from '../../../src/backends/cpu/partition.js';

describe('partitionRowsByNnz', () => {
  it('balances stored values plus a per-row weight', () => {
    // Row lengths 10, 0, 0, 0, 10, 10 with row weight 1: costs 11, 1, 1, 1, 11, 11 (total 36).
    const indptr = Uint32Array.from([0, 10, 10, 10, 10, 20, 30]);
    expect(Array.from(partitionRowsByNnz(indptr, 6, 2, 1))).toEqual([0, 4, 6]);
    expect(Array.from(partitionRowsByNnz(indptr, 6, 3, 1))).toEqual([0, 2, 5, 6]);
  });

  it('leaves parts empty when rows run out', () => {
    // One row of cost 6 and targets 2 and 4: the row goes to the part whose target is nearer its end.
    const indptr = Uint32Array.from([0, 5]);
    expect(Array.from(partitionRowsByNnz(indptr, 1, 3, 1))).toEqual([0, 0, 1, 1]);
  });

  it('handles a matrix with no rows', () => {
    expect(Array.from(partitionRowsByNnz(Uint32Array.from([0]), 0, 2, 1))).toEqual([0, 0, 0]);
  });
});

describe('splitEvenly', () => {
  it('splits into sizes that differ by at most one', () => {
    expect(Array.from(splitEvenly(10, 3))).toEqual([0, 3, 6, 10]);
  });
});

describe('countChunks', () => {
  it('covers every row with fixed-size chunks', () => {
    expect(countChunks(0)).toBe(0);
    expect(countChunks(REDUCTION_CHUNK_ROWS)).toBe(1);
    expect(countChunks(REDUCTION_CHUNK_ROWS + 1)).toBe(2);
  });
});
