// Id lists as one UTF-8 blob plus uint32 byte offsets, the way model files store them.

import { isAscii } from 'node:buffer';

/** An id list ready to write: offsets[i]..offsets[i + 1] is the UTF-8 of id i within `bytes`. */
export interface EncodedIds {
  offsets: Uint32Array;
  bytes: Uint8Array;
}

/** Encodes `ids` as one UTF-8 blob and count + 1 byte offsets. */
export function encodeIds(ids: readonly string[]): EncodedIds {
  const offsets = new Uint32Array(ids.length + 1);
  for (let k = 0; k < ids.length; k++) offsets[k + 1] = offsets[k] + Buffer.byteLength(ids[k], 'utf8');
  const bytes = Buffer.from(ids.join(''), 'utf8');
  return { offsets, bytes };
}

/**
 * Decodes an id list. ASCII blobs (the common case: numbers, hashes) are decoded once and sliced, which
 * is several times faster than decoding each id. Returns a description of the first problem instead of
 * ids when the offsets are out of order or past the blob, or a slice is not valid UTF-8.
 */
export function decodeIds(offsets: Uint32Array, bytes: Uint8Array): string[] | string {
  const problem = checkIdOffsets(offsets, bytes);
  if (problem !== undefined) return problem;

  const count = offsets.length - 1;
  const ids = new Array<string>(count);
  if (isAscii(bytes)) {
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    for (let k = 0; k < count; k++) ids[k] = text.slice(offsets[k], offsets[k + 1]);
    return ids;
  }
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (let k = 0; k < count; k++) {
    try {
      ids[k] = decoder.decode(bytes.subarray(offsets[k], offsets[k + 1]));
    } catch {
      return `id ${k} is not valid UTF-8`;
    }
  }
  return ids;
}

/** Describes the first problem with the offsets of an id list (out of order, or not spanning the blob), or returns undefined. */
export function checkIdOffsets(offsets: Uint32Array, bytes: Uint8Array): string | undefined {
  const count = offsets.length - 1;
  if (count < 0 || offsets[0] !== 0 || offsets[count] !== bytes.length) {
    return `the offsets span bytes ${offsets[0]} to ${offsets[count]} but the blob has ${bytes.length} bytes`;
  }
  for (let k = 0; k < count; k++) {
    if (offsets[k + 1] < offsets[k]) return `offset ${k + 1} (${offsets[k + 1]}) is below offset ${k} (${offsets[k]})`;
  }
  return undefined;
}
