// The shared arena allocator: alignment, reuse of freed blocks, growth and the 4 GiB limit.

import { describe, expect, it } from 'vitest';
import { ArenaFullError, SharedArena } from '../../../src/backends/cpu/arena.js';

describe('SharedArena', () => {
  it('aligns every array to 64 bytes and never at offset 0', () => {
    const arena = SharedArena.create();
    const arrays = [arena.allocate(Float32Array, 3), arena.allocate(Float64Array, 17), arena.allocate(Uint32Array, 1)];
    for (const array of arrays) {
      expect(array.byteOffset % 64).toBe(0);
      expect(array.byteOffset).toBeGreaterThan(0);
    }
  });

  it('gives disjoint arrays', () => {
    const arena = SharedArena.create();
    const a = arena.allocate(Float32Array, 100);
    const b = arena.allocate(Float32Array, 100);
    a.fill(1);
    b.fill(2);
    expect(a.every((value) => value === 1)).toBe(true);
    expect(b.byteOffset >= a.byteOffset + a.byteLength || a.byteOffset >= b.byteOffset + b.byteLength).toBe(true);
  });

  it('reuses a released block and zeroes it again', () => {
    const arena = SharedArena.create();
    const first = arena.allocate(Float32Array, 1000);
    first.fill(7);
    const offset = first.byteOffset;
    arena.release(first);
    const second = arena.allocate(Float32Array, 1000);
    expect(second.byteOffset).toBe(offset);
    expect(second.every((value) => value === 0)).toBe(true);
  });

  it('merges neighbouring free blocks', () => {
    const arena = SharedArena.create();
    const a = arena.allocate(Uint32Array, 1024);
    const b = arena.allocate(Uint32Array, 1024);
    arena.allocate(Uint32Array, 1);
    arena.release(a);
    arena.release(b);
    // Only the merged block of a and b can hold 2048 values below the third array.
    expect(arena.allocate(Uint32Array, 2048).byteOffset).toBe(a.byteOffset);
  });

  it('grows the memory and keeps earlier arrays valid', () => {
    const arena = SharedArena.create();
    const small = arena.allocate(Float64Array, 16);
    small.fill(3);
    const before = arena.memory.buffer.byteLength;
    const large = arena.allocate(Float32Array, 1_000_000);
    expect(arena.memory.buffer.byteLength).toBeGreaterThan(before);
    large[999_999] = 5;
    expect(small.every((value) => value === 3)).toBe(true);
    expect(arena.bytesInUse).toBeGreaterThanOrEqual(16 * 8 + 4_000_000);
  });

  it('rejects an allocation beyond 4 GiB with ArenaFullError', () => {
    const arena = SharedArena.create();
    expect(() => arena.allocate(Float64Array, 2 ** 30)).toThrow(ArenaFullError);
  });
});
