// Arena arrays lent to the backend's caller, and how an arena allocator uses and lends them.

import { describe, expect, it } from 'vitest';
import { SharedArena } from '../../../src/backends/cpu/arena.js';
import { createArenaAllocator, createPlainAllocator, LentArrays } from '../../../src/backends/cpu/shared-memory.js';

describe('LentArrays', () => {
  it('allocates zero-filled arena arrays', () => {
    const arena = SharedArena.create();
    const lent = new LentArrays(arena);
    const array = lent.allocate(Float32Array, 100);
    expect(array).toBeDefined();
    expect(array?.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(array?.every((value) => value === 0)).toBe(true);
    expect(lent.has(array as Float32Array)).toBe(true);
    expect(arena.bytesInUse).toBeGreaterThanOrEqual(400);
  });

  it('frees a lent array once', () => {
    const arena = SharedArena.create();
    const lent = new LentArrays(arena);
    const first = lent.allocate(Uint32Array, 64) as Uint32Array;
    lent.release(first);
    expect(arena.bytesInUse).toBe(0);

    // The block is reused; a second release of the old view must not free the new owner's block.
    const second = arena.allocate(Uint32Array, 64);
    expect(second.byteOffset).toBe(first.byteOffset);
    lent.release(first);
    expect(arena.bytesInUse).toBe(256);
  });

  it('ignores arrays it did not lend', () => {
    const arena = SharedArena.create();
    const lent = new LentArrays(arena);
    const owned = arena.allocate(Float32Array, 16);
    lent.release(owned);
    lent.release(new Float32Array(16));
    expect(arena.bytesInUse).toBe(64);
  });

  it('returns undefined when the arena cannot grow enough', () => {
    const lent = new LentArrays(SharedArena.create());
    expect(lent.allocate(Float32Array, 2 ** 31)).toBeUndefined();
  });
});

describe('arena allocator with lent arrays', () => {
  it('uses a lent array in place and leaves it lent', () => {
    const arena = SharedArena.create();
    const lent = new LentArrays(arena);
    const input = lent.allocate(Float32Array, 32) as Float32Array;
    input.fill(7);
    const allocator = createArenaAllocator(arena);

    expect(allocator.useOrCopy(Float32Array, input, lent)).toBe(input);
    allocator.releaseAll();
    expect(lent.has(input)).toBe(true);
    expect(arena.bytesInUse).toBe(128);
    lent.release(input);
    expect(arena.bytesInUse).toBe(0);
  });

  it('copies arrays that are not lent', () => {
    const arena = SharedArena.create();
    const lent = new LentArrays(arena);
    const host = Float32Array.from([1, 2, 3]);
    const allocator = createArenaAllocator(arena);

    const copy = allocator.useOrCopy(Float32Array, host, lent);
    expect(copy).not.toBe(host);
    expect(Array.from(copy)).toEqual([1, 2, 3]);
    expect(Array.from(allocator.useOrCopy(Float32Array, host, undefined))).toEqual([1, 2, 3]);
  });

  it('keeps a lent array out of releaseAll until the caller frees it', () => {
    const arena = SharedArena.create();
    const lent = new LentArrays(arena);
    const allocator = createArenaAllocator(arena);
    const factors = allocator.allocate(Float32Array, 16);
    const scratch = allocator.allocate(Float64Array, 8);
    factors.fill(3);

    allocator.lend(factors, lent);
    allocator.releaseAll();
    expect(arena.bytesInUse).toBe(64);
    expect(factors.every((value) => value === 3)).toBe(true);
    expect(scratch.byteOffset).not.toBe(factors.byteOffset);

    lent.release(factors);
    expect(arena.bytesInUse).toBe(0);
  });

  it('plain allocator copies lent arrays and leaves them lent', () => {
    const arena = SharedArena.create();
    const lent = new LentArrays(arena);
    const input = lent.allocate(Uint32Array, 4) as Uint32Array;
    input.set([4, 3, 2, 1]);

    const copy = createPlainAllocator().useOrCopy(Uint32Array, input, lent);
    expect(copy).not.toBe(input);
    expect(Array.from(copy)).toEqual([4, 3, 2, 1]);
    expect(lent.has(input)).toBe(true);
  });
});
