// Writes a fitted model to one binary file (layout in format.ts), atomically.

import { isAscii } from 'node:buffer';
import { InputError } from '../../errors.js';
import { writeAtomic, writeFully } from './atomic-write.js';
import { loadChecksum } from './checksum.js';
import type { ModelFileContents } from './contents.js';
import {
  alignOffset,
  CHECKSUM_ALGORITHM,
  DTYPE_BYTES,
  ENDIANNESS_MARKER,
  MODEL_FORMAT_VERSION,
  MODEL_MAGIC,
  PREAMBLE_BYTES,
  SECTION_DTYPES,
  type ModelHeader,
  type ModelSectionName,
  type SectionEntry,
} from './format.js';
import { crc32 } from '../datasets/crc32.js';
import { encodeIds, type EncodedIds } from './id-blob.js';

type SectionArray = Float32Array | Uint32Array | Uint8Array;

function bytesOf(array: SectionArray): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** Throws InputError when the arrays disagree with the shapes they claim. */
function checkShapes(path: string, contents: ModelFileContents): void {
  const { factors } = contents.options;
  const nUsers = contents.userIds.size;
  const nItems = contents.itemIds.size;
  const problems: string[] = [];
  if (contents.userFactors.length !== nUsers * factors) problems.push(`userFactors has ${contents.userFactors.length} values, expected ${nUsers} users x ${factors} factors`);
  if (contents.itemFactors.length !== nItems * factors) problems.push(`itemFactors has ${contents.itemFactors.length} values, expected ${nItems} items x ${factors} factors`);
  if (contents.userItems.nRows !== nUsers || contents.userItems.nCols !== nItems) {
    problems.push(`userItems is ${contents.userItems.nRows} x ${contents.userItems.nCols}, expected ${nUsers} x ${nItems}`);
  }
  if (problems.length > 0) {
    throw new InputError('csr_shape_mismatch', `cannot save ${path}: ${problems.join('; ')}`, { where: path });
  }
}

/** Returns the header bytes, padded with spaces so that the first section starts on an aligned offset. */
function layoutHeader(header: Omit<ModelHeader, 'sections'>, sections: Array<{ name: ModelSectionName; bytes: Uint8Array; checksum: string }>): { headerBytes: Buffer; entries: SectionEntry[] } {
  let dataStart = alignOffset(PREAMBLE_BYTES + 1024);
  // Offsets depend on the header length and the header lists the offsets, so grow dataStart until the header fits.
  for (;;) {
    const entries: SectionEntry[] = [];
    let offset = dataStart;
    for (const section of sections) {
      const dtype = SECTION_DTYPES[section.name];
      entries.push({ name: section.name, dtype, offset, length: section.bytes.length / DTYPE_BYTES[dtype], byteLength: section.bytes.length, checksum: section.checksum });
      offset = alignOffset(offset + section.bytes.length);
    }
    const json = Buffer.from(JSON.stringify({ ...header, sections: entries }), 'utf8');
    const room = dataStart - PREAMBLE_BYTES;
    if (json.length <= room) return { headerBytes: Buffer.concat([json, Buffer.alloc(room - json.length, 0x20)]), entries };
    dataStart = alignOffset(PREAMBLE_BYTES + json.length);
  }
}

/**
 * Encodes one id list, or throws InputError naming the first id that has no UTF-8 form (a lone UTF-16
 * surrogate, which would be written as U+FFFD and could clash with another id on load).
 */
function encodeIdsFor(path: string, kind: 'user' | 'item', ids: readonly string[]): EncodedIds {
  const encoded = encodeIds(ids);
  if (isAscii(encoded.bytes)) return encoded;
  const bytes = Buffer.from(encoded.bytes.buffer, encoded.bytes.byteOffset, encoded.bytes.byteLength);
  for (let k = 0; k < ids.length; k++) {
    if (bytes.toString('utf8', encoded.offsets[k], encoded.offsets[k + 1]) === ids[k]) continue;
    throw new InputError('invalid_id', `${path}: cannot save ${kind} id ${JSON.stringify(ids[k])} (index ${k}): invalid id, it contains a lone UTF-16 surrogate, which has no UTF-8 form; use ids that are valid Unicode text`, {
      where: path,
      received: JSON.stringify(ids[k]),
    });
  }
  return encoded;
}

/**
 * Writes `contents` to `path`: a preamble, a JSON header validated on load, then 64-byte aligned
 * sections, each with an XXH64 checksum. The write is atomic (temporary file, fsync, rename).
 * Throws InputError when the shapes disagree or the file cannot be written.
 */
export async function writeModelFile(path: string, contents: ModelFileContents): Promise<void> {
  checkShapes(path, contents);
  const checksum = await loadChecksum();
  const userIds = encodeIdsFor(path, 'user', contents.userIds.toArray());
  const itemIds = encodeIdsFor(path, 'item', contents.itemIds.toArray());
  const arrays: Record<ModelSectionName, SectionArray> = {
    userFactors: contents.userFactors,
    itemFactors: contents.itemFactors,
    userItemsIndptr: contents.userItems.indptr,
    userItemsIndices: contents.userItems.indices,
    userItemsData: contents.userItems.data,
    userIdOffsets: userIds.offsets,
    userIdBytes: userIds.bytes,
    itemIdOffsets: itemIds.offsets,
    itemIdBytes: itemIds.bytes,
  };
  const sections = (Object.keys(arrays) as ModelSectionName[]).map((name) => {
    const bytes = bytesOf(arrays[name]);
    return { name, bytes, checksum: checksum(bytes) };
  });

  const { headerBytes, entries } = layoutHeader(
    {
      format: 'osusume-model',
      createdAt: new Date().toISOString(),
      model: 'als',
      dtype: 'float32',
      options: contents.options,
      shapes: { nUsers: contents.userIds.size, nItems: contents.itemIds.size, factors: contents.options.factors, nnz: contents.userItems.nnz },
      training: contents.training,
      checksum: CHECKSUM_ALGORITHM,
    },
    sections,
  );
  const preamble = Buffer.alloc(PREAMBLE_BYTES);
  MODEL_MAGIC.copy(preamble, 0);
  preamble.writeUInt32LE(MODEL_FORMAT_VERSION, 8);
  preamble.writeUInt32LE(ENDIANNESS_MARKER, 12);
  preamble.writeUInt32LE(headerBytes.length, 16);
  preamble.writeUInt32LE(crc32(headerBytes), 20);

  await writeAtomic(path, async (handle) => {
    await writeFully(handle, Buffer.concat([preamble, headerBytes]));
    let position = PREAMBLE_BYTES + headerBytes.length;
    for (let k = 0; k < sections.length; k++) {
      const padding = entries[k].offset - position;
      if (padding > 0) await writeFully(handle, new Uint8Array(padding));
      await writeFully(handle, sections[k].bytes);
      position = entries[k].offset + sections[k].bytes.length;
    }
  });
}
