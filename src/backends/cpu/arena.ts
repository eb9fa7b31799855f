// A shared WebAssembly.Memory carved into typed arrays. The WebAssembly kernels on every thread read
// these arrays in place by byte offset, and JavaScript on every thread reads them as ordinary typed arrays.

import type { SharedTypedArray, TypedArrayConstructor } from './shared-memory.js';

const PAGE_BYTES = 65_536;
/** Most pages a wasm32 memory can have: 4 GiB. */
export const MAX_ARENA_PAGES = 65_536;
/** Block alignment: one cache line, which also suits every SIMD load. */
const ALIGN_BYTES = 64;

/** Thrown when an allocation does not fit in the 4 GiB a wasm32 memory can address. */
export class ArenaFullError extends Error {
  constructor(requestedBytes: number, usedBytes: number) {
    super(`the shared WebAssembly memory cannot hold ${requestedBytes} more bytes beside the ${usedBytes} in use (limit 4 GiB)`);
    this.name = 'ArenaFullError';
  }
}

interface FreeBlock {
  offset: number;
  byteLength: number;
}

/**
 * First-fit allocator over a shared WebAssembly.Memory, used from the thread that owns the backend.
 * Freed blocks are reused but the memory never shrinks, because WebAssembly memories cannot.
 */
export class SharedArena {
  /** Free blocks sorted by offset, neighbours merged. */
  private readonly free: FreeBlock[] = [];
  private readonly used = new Map<number, number>();
  private usedBytes = 0;

  /** Byte offset 0 is left unused, so no array starts at the null address. */
  private constructor(readonly memory: WebAssembly.Memory) {
    const size = memory.buffer.byteLength;
    if (size > ALIGN_BYTES) this.free.push({ offset: ALIGN_BYTES, byteLength: size - ALIGN_BYTES });
  }

  /** Creates an arena over a new shared memory of one page that grows on demand up to 4 GiB. */
  static create(): SharedArena {
    return new SharedArena(new WebAssembly.Memory({ initial: 1, maximum: MAX_ARENA_PAGES, shared: true }));
  }

  /** Bytes currently handed out. */
  get bytesInUse(): number {
    return this.usedBytes;
  }

  /** Returns a typed array of `length` elements in the arena, zero-filled unless `zero` is false. */
  allocate<T extends SharedTypedArray>(type: TypedArrayConstructor<T>, length: number, options: { zero?: boolean } = {}): T {
    const byteLength = Math.max(ALIGN_BYTES, Math.ceil((length * type.BYTES_PER_ELEMENT) / ALIGN_BYTES) * ALIGN_BYTES);
    const offset = this.take(byteLength);
    this.used.set(offset, byteLength);
    this.usedBytes += byteLength;
    const array = new type(this.memory.buffer as SharedArrayBuffer, offset, length);
    if (options.zero !== false) array.fill(0);
    return array;
  }

  /** Gives an array from allocate() back; using it afterwards corrupts later allocations. */
  release(array: SharedTypedArray): void {
    const byteLength = this.used.get(array.byteOffset);
    if (byteLength === undefined) return;
    this.used.delete(array.byteOffset);
    this.usedBytes -= byteLength;
    this.insertFree({ offset: array.byteOffset, byteLength });
  }

  private take(byteLength: number): number {
    for (let k = 0; k < this.free.length; k++) {
      const block = this.free[k];
      if (block.byteLength < byteLength) continue;
      const offset = block.offset;
      if (block.byteLength === byteLength) this.free.splice(k, 1);
      else this.free[k] = { offset: offset + byteLength, byteLength: block.byteLength - byteLength };
      return offset;
    }
    this.grow(byteLength);
    return this.take(byteLength);
  }

  /** Grows the memory so that its free tail has at least `byteLength` bytes. */
  private grow(byteLength: number): void {
    const size = this.memory.buffer.byteLength;
    const last = this.free.at(-1);
    const tailFree = last !== undefined && last.offset + last.byteLength === size ? last.byteLength : 0;
    // Grow by at least an eighth of the current size, so many small requests do not grow page by page.
    const neededPages = Math.ceil((byteLength - tailFree) / PAGE_BYTES);
    const pages = Math.min(MAX_ARENA_PAGES - size / PAGE_BYTES, Math.max(neededPages, Math.ceil(size / PAGE_BYTES / 8)));
    if (pages < neededPages) throw new ArenaFullError(byteLength, this.usedBytes);
    try {
      this.memory.grow(pages);
    } catch {
      throw new ArenaFullError(byteLength, this.usedBytes);
    }
    this.insertFree({ offset: size, byteLength: pages * PAGE_BYTES });
  }

  private insertFree(block: FreeBlock): void {
    let index = 0;
    while (index < this.free.length && this.free[index].offset < block.offset) index++;
    this.free.splice(index, 0, block);
    // Merge with the next block, then with the previous one.
    const next = this.free[index + 1];
    if (next !== undefined && block.offset + block.byteLength === next.offset) {
      block.byteLength += next.byteLength;
      this.free.splice(index + 1, 1);
    }
    const previous = this.free[index - 1];
    if (previous !== undefined && previous.offset + previous.byteLength === block.offset) {
      previous.byteLength += block.byteLength;
      this.free.splice(index, 1);
    }
  }
}
