// CRC-32 (the zlib/PNG polynomial) of a byte range, used to detect corrupted cache sections.

import * as zlib from 'node:zlib';

type Crc32Function = (data: Uint8Array, value?: number) => number;

/** zlib.crc32 arrived in Node 20.15 and 22.2; older Node 20 releases use the table version below. */
const nativeCrc32 = (zlib as { crc32?: Crc32Function }).crc32;

let table: Uint32Array | undefined;

function crcTable(): Uint32Array {
  if (table !== undefined) return table;
  table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    // 0xedb88320 is the bit-reversed CRC-32 polynomial 0x04c11db7.
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/** Returns the CRC-32 of `bytes` as an unsigned 32-bit integer, equal to zlib's crc32(). */
export function crc32(bytes: Uint8Array): number {
  return nativeCrc32 === undefined ? crc32Portable(bytes) : nativeCrc32(bytes) >>> 0;
}

/** Computes the CRC-32 with a lookup table, for Node releases without zlib.crc32 (about 10x slower). */
export function crc32Portable(bytes: Uint8Array): number {
  const lookup = crcTable();
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = lookup[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
