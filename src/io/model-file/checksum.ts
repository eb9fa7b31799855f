// XXH64 checksums of model file sections, through hash-wasm's WebAssembly build.

import { createXXHash64, type IHasher } from 'hash-wasm';

let hasher: Promise<IHasher> | undefined;

/**
 * A function that returns the XXH64 of its bytes as 16 hex digits (seed 0). Given an iterable of
 * chunks instead, it hashes their concatenation, so a section can be checked without holding it whole.
 */
export type Checksum = (bytes: Uint8Array | Iterable<Uint8Array>) => string;

/**
 * Returns the section checksum function, compiling the WebAssembly module on the first call. The
 * function hashes synchronously, so two callers never interleave on the shared hasher state.
 */
export async function loadChecksum(): Promise<Checksum> {
  hasher ??= createXXHash64();
  const instance = await hasher;
  return (bytes) => {
    instance.init();
    if (bytes instanceof Uint8Array) return instance.update(bytes).digest('hex');
    for (const chunk of bytes) instance.update(chunk);
    return instance.digest('hex');
  };
}
