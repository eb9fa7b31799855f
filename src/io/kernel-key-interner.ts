// Maps id bytes to IdMap indices through a key table of the WebAssembly fast path, so the parser and
// the fast path share one table per id space. Only the first occurrence of a key makes a string.

import type { IdMap } from '../csr/id-map.js';
import type { LoaderKernelExports } from './loader-kernel.js';
import type { IdInterner } from './parse-target.js';

/** Keys up to this many bytes are copied byte by byte. */
const SHORT_KEY_BYTES = 64;

export class KernelKeyInterner implements IdInterner {
  missedCache = false;
  /** A view of the kernel's whole memory, remade after the memory grows. */
  private memory: Buffer;

  /** `table` is the kernel's userTable() or itemTable(). */
  constructor(
    readonly ids: IdMap,
    private readonly kernel: LoaderKernelExports,
    private readonly table: number,
  ) {
    this.memory = Buffer.from(kernel.memory.buffer);
  }

  intern(bytes: Uint8Array, start: number, end: number): number {
    const { kernel } = this;
    const length = end - start;
    // `bytes` never views the kernel's memory: adding a key can grow that memory, which would detach
    // the parser's view in the middle of a line. So the key is copied in.
    const key = kernel.reserveScratch(length);
    const memory = this.currentMemory();
    // Ids are short, so a loop copies them without making a view per call.
    if (length <= SHORT_KEY_BYTES) {
      for (let k = 0; k < length; k++) memory[key + k] = bytes[start + k];
    } else {
      memory.set(bytes.subarray(start, end), key);
    }

    return this.internAt(key, length);
  }

  /** Like intern, for `length` key bytes that lie at address `key` of the kernel's memory. */
  internAt(key: number, length: number): number {
    const { kernel, table } = this;
    const found = kernel.lookUpKey(table, key, length);
    this.missedCache = found < 0;
    if (found >= 0) return found;

    // Distinct byte strings can decode to the same text (invalid UTF-8 becomes U+FFFD); IdMap.add then
    // returns the existing index, so both byte forms map to one id, as KeyInterner does.
    const index = this.ids.add(this.decode(key, length));
    kernel.addKey(table, key, length, index);
    return index;
  }

  /** Decodes `length` UTF-8 bytes at address `key` of the kernel's memory. */
  decode(key: number, length: number): string {
    return this.currentMemory().toString('utf8', key, key + length);
  }

  private currentMemory(): Buffer {
    if (this.memory.buffer !== this.kernel.memory.buffer) this.memory = Buffer.from(this.kernel.memory.buffer);
    return this.memory;
  }
}
