// Writes Interactions to a binary CSR cache file, atomically: a temporary file in the same folder is
// written, flushed to disk and renamed over the target, so readers see the old file or the whole new one.

import { type FileHandle, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Interactions } from '../../csr/interactions.js';
import { InputError } from '../../errors.js';
import { writeAtomic } from '../model-file/atomic-write.js';
import { crc32 } from './crc32.js';
import {
  alignSection,
  CACHE_MAGIC,
  CACHE_VERSION,
  type CacheHeader,
  type CacheSection,
  type CacheSource,
  PREAMBLE_BYTES,
  SECTION_DTYPES,
  type SectionName,
} from './csr-cache-format.js';

/** Largest byte count passed to one write call; Linux caps a single write at about 2 GiB. */
const MAX_WRITE_BYTES = 1 << 30;
const MAX_UINT32 = 0xffffffff;

/** Provenance stored in the header; `createdAt` defaults to now. */
export type CacheSourceInput = Omit<CacheSource, 'createdAt'> & { createdAt?: string };

interface SectionBytes {
  name: SectionName;
  bytes: Uint8Array;
  length: number;
}

/**
 * Writes `interactions` to `path` as a binary CSR cache (format in csr-cache-format.ts) and returns
 * the file length in bytes. Creates the folder when missing. The file appears under its final name
 * only once complete and flushed; on any failure the temporary file is removed and the error rethrown.
 *
 * @example
 * await writeCsrCache('/tmp/ml-100k.csr.bin', interactions, { dataset: 'ml-100k', origin: 'ml-100k/u.data' });
 */
export async function writeCsrCache(path: string, interactions: Interactions, source: CacheSourceInput): Promise<number> {
  checkShapes(interactions);
  const sections = collectSections(interactions);
  const { header, headerBytes } = layOut(interactions, sections, { ...source, createdAt: source.createdAt ?? new Date().toISOString() });

  await mkdir(dirname(path), { recursive: true });
  await writeAtomic(path, (handle) => writeSections(handle, header, headerBytes, sections));
  return header.fileBytes;
}

function checkShapes(interactions: Interactions): void {
  const { userItems, userIds, itemIds, itemNames } = interactions;
  const mismatch = (problem: string) => new InputError('csr_shape_mismatch', `cannot write the CSR cache: ${problem}`);
  if (userIds.size !== userItems.nRows) throw mismatch(`userItems has ${userItems.nRows} rows but ${userIds.size} user ids were given; pass one row per user id`);
  if (itemIds.size !== userItems.nCols) throw mismatch(`userItems has ${userItems.nCols} columns but ${itemIds.size} item ids were given; pass one column per item id`);
  if (itemNames !== undefined && itemNames.length !== itemIds.size) {
    throw mismatch(`itemNames has ${itemNames.length} entries but there are ${itemIds.size} item ids; pass one name per item or none`);
  }
}

function collectSections(interactions: Interactions): SectionBytes[] {
  const { userItems } = interactions;
  const view = (array: Uint32Array | Float32Array) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  const nnz = userItems.nnz;
  const sections: SectionBytes[] = [
    { name: 'indptr', bytes: view(userItems.indptr.subarray(0, userItems.nRows + 1)), length: userItems.nRows + 1 },
    { name: 'indices', bytes: view(userItems.indices.subarray(0, nnz)), length: nnz },
    { name: 'data', bytes: view(userItems.data.subarray(0, nnz)), length: nnz },
  ];
  const addStrings = (offsetsName: SectionName, bytesName: SectionName, values: readonly string[]) => {
    const encoded = encodeStrings(values, bytesName);
    sections.push({ name: offsetsName, bytes: view(encoded.offsets), length: encoded.offsets.length });
    sections.push({ name: bytesName, bytes: encoded.bytes, length: encoded.bytes.length });
  };
  addStrings('userIdOffsets', 'userIdBytes', interactions.userIds.toArray());
  addStrings('itemIdOffsets', 'itemIdBytes', interactions.itemIds.toArray());
  if (interactions.itemNames !== undefined) addStrings('itemNameOffsets', 'itemNameBytes', interactions.itemNames);
  return sections;
}

/** Encodes strings as one UTF-8 blob plus byte offsets, offsets.length = values.length + 1. */
export function encodeStrings(values: readonly string[], sectionName: string): { offsets: Uint32Array; bytes: Uint8Array } {
  const offsets = new Uint32Array(values.length + 1);
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    total += Buffer.byteLength(values[i], 'utf8');
    if (total > MAX_UINT32) {
      throw new InputError('cache_too_large', `cannot write the CSR cache: the strings of ${sectionName} exceed 4 GiB of UTF-8, the limit of uint32 offsets`, { where: sectionName });
    }
    offsets[i + 1] = total;
  }
  const bytes = Buffer.allocUnsafe(total);
  let position = 0;
  for (const value of values) position += bytes.write(value, position, 'utf8');
  return { offsets, bytes };
}

/**
 * Places the sections after the header. Section offsets are part of the header, so the header length
 * moves the first offset. The loop stops once the header no longer grows, after two or three passes.
 */
function layOut(interactions: Interactions, sections: SectionBytes[], source: CacheSource): { header: CacheHeader; headerBytes: Buffer } {
  const crcs = sections.map((section) => crc32(section.bytes));
  let dataStart = alignSection(PREAMBLE_BYTES);
  for (;;) {
    const placed: CacheSection[] = [];
    let offset = dataStart;
    sections.forEach((section, i) => {
      placed.push({ name: section.name, dtype: SECTION_DTYPES[section.name], offset, length: section.length, crc32: crcs[i] });
      offset = alignSection(offset + section.bytes.byteLength);
    });
    const last = placed[placed.length - 1];
    const fileBytes = last.offset + sections[sections.length - 1].bytes.byteLength;
    const header: CacheHeader = {
      shape: [interactions.userItems.nRows, interactions.userItems.nCols],
      nnz: interactions.userItems.nnz,
      fileBytes,
      stats: { ...interactions.stats },
      source,
      sections: placed,
    };
    const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
    const needed = alignSection(PREAMBLE_BYTES + headerBytes.length);
    if (needed <= dataStart) return { header, headerBytes };
    dataStart = needed;
  }
}

async function writeSections(handle: FileHandle, header: CacheHeader, headerBytes: Buffer, sections: SectionBytes[]): Promise<void> {
  const preamble = Buffer.alloc(PREAMBLE_BYTES);
  CACHE_MAGIC.copy(preamble, 0);
  preamble.writeUInt32LE(CACHE_VERSION, 8);
  preamble.writeUInt32LE(headerBytes.length, 12);
  await writeFullyAt(handle, preamble, 0);
  await writeFullyAt(handle, headerBytes, PREAMBLE_BYTES);
  for (let i = 0; i < sections.length; i++) await writeFullyAt(handle, sections[i].bytes, header.sections[i].offset);

  // Gaps between sections read back as zeros; truncate also extends a file whose last section is empty.
  await handle.truncate(header.fileBytes);
}

/** Writes all of `bytes` at `position`; FileHandle.write may write less per call. */
async function writeFullyAt(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.byteLength) {
    const length = Math.min(MAX_WRITE_BYTES, bytes.byteLength - done);
    const { bytesWritten } = await handle.write(bytes, done, length, position + done);
    done += bytesWritten;
  }
}
