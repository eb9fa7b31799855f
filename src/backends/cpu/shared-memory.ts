// Typed arrays over shared memory, which worker threads read and write without copies. Memory comes
// from a SharedArena (a WebAssembly.Memory the kernels address directly) when the backend has one,
// else from plain SharedArrayBuffers.

import { ArenaFullError, type SharedArena } from './arena.js';

export type SharedTypedArray = Float32Array | Float64Array | Uint32Array | Int32Array;

export type TypedArrayConstructor<T extends SharedTypedArray> = {
  new (buffer: SharedArrayBuffer, byteOffset?: number, length?: number): T;
  readonly BYTES_PER_ELEMENT: number;
};

/** Allocates a zero-filled typed array of `length` elements backed by a SharedArrayBuffer. */
export function allocateShared<T extends SharedTypedArray>(type: TypedArrayConstructor<T>, length: number): T {
  return new type(new SharedArrayBuffer(length * type.BYTES_PER_ELEMENT), 0, length);
}

/** Copies `source` into a new SharedArrayBuffer-backed array of the same type. */
export function copyToShared<T extends SharedTypedArray>(type: TypedArrayConstructor<T>, source: ArrayLike<number>): T {
  const shared = allocateShared(type, source.length);
  (shared as unknown as { set(values: ArrayLike<number>): void }).set(source);
  return shared;
}

/** Source of a fit session's or scorer's shared arrays, which also takes them back. */
export interface SharedAllocator {
  /** True when the arrays live in the arena's WebAssembly.Memory, where the WebAssembly kernels can read them. */
  readonly isArena: boolean;
  allocate<T extends SharedTypedArray>(type: TypedArrayConstructor<T>, length: number): T;
  copy<T extends SharedTypedArray>(type: TypedArrayConstructor<T>, source: ArrayLike<number>): T;
  /**
   * Returns `source` itself when it is one of `lent`'s arena arrays, which stay the caller's and are
   * never freed here, and otherwise a copy as copy() makes.
   */
  useOrCopy<T extends SharedTypedArray>(type: TypedArrayConstructor<T>, source: T, lent: LentArrays | undefined): T;
  /** Stops owning `array` and lends it to `lent`, so releaseAll() leaves it alone. */
  lend(array: SharedTypedArray, lent: LentArrays): void;
  /** Returns every array this allocator handed out; none of them may be used afterwards. */
  releaseAll(): void;
}

/**
 * Arena arrays that belong to the backend's caller rather than to a fit session or scorer: fit input
 * built in place, and final factors handed out without a copy. The caller frees them with release().
 */
export class LentArrays {
  private readonly arrays = new Set<SharedTypedArray>();

  constructor(private readonly arena: SharedArena) {}

  /** Allocates a zero-filled arena array and lends it; returns undefined when the arena cannot grow enough. */
  allocate<T extends SharedTypedArray>(type: TypedArrayConstructor<T>, length: number): T | undefined {
    let array: T;
    try {
      array = this.arena.allocate(type, length);
    } catch (error) {
      if (error instanceof ArenaFullError) return undefined;
      throw error;
    }
    this.arrays.add(array);
    return array;
  }

  has(array: SharedTypedArray): boolean {
    return this.arrays.has(array);
  }

  add(array: SharedTypedArray): void {
    this.arrays.add(array);
  }

  /** Frees `array` when it is lent; arrays that are not are ignored. */
  release(array: SharedTypedArray): void {
    if (this.arrays.delete(array)) this.arena.release(array);
  }
}

/** Allocates plain SharedArrayBuffers, which the garbage collector frees. */
export function createPlainAllocator(): SharedAllocator {
  return {
    isArena: false,
    allocate: allocateShared,
    copy: copyToShared,
    useOrCopy: (type, source) => copyToShared(type, source),
    lend() {},
    releaseAll() {},
  };
}

/**
 * Allocates from `arena` and remembers every array, so releaseAll() frees them together. Throws
 * ArenaFullError when the arena cannot grow enough; the caller then falls back to a plain allocator.
 */
export function createArenaAllocator(arena: SharedArena): SharedAllocator {
  const owned: SharedTypedArray[] = [];
  return {
    isArena: true,
    allocate(type, length) {
      const array = arena.allocate(type, length);
      owned.push(array);
      return array;
    },
    copy(type, source) {
      const array = arena.allocate(type, source.length, { zero: false });
      (array as unknown as { set(values: ArrayLike<number>): void }).set(source);
      owned.push(array);
      return array;
    },
    useOrCopy(type, source, lent) {
      return lent?.has(source) === true ? source : this.copy(type, source);
    },
    lend(array, lent) {
      const index = owned.indexOf(array);
      if (index < 0) return;
      owned.splice(index, 1);
      lent.add(array);
    },
    releaseAll() {
      for (const array of owned) arena.release(array);
      owned.length = 0;
    },
  };
}
