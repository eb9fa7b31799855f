// Reads a binary CSR cache file into Interactions. The file is read once into one ArrayBuffer and the
// numeric sections become typed-array views of it, so no element is copied.

import { isAscii } from 'node:buffer';
import { type FileHandle, open } from 'node:fs/promises';
import { endianness } from 'node:os';
import { CsrMatrix } from '../../csr/csr-matrix.js';
import { IdMap } from '../../csr/id-map.js';
import type { Interactions } from '../../csr/interactions.js';
import { InputError } from '../../errors.js';
import { describeOpenFailure } from '../file-errors.js';
import { crc32 } from './crc32.js';
import { CACHE_MAGIC, CACHE_VERSION, type CacheHeader, cacheHeaderSchema, PREAMBLE_BYTES } from './csr-cache-format.js';
import { cacheError, checkLayout, type SectionViews, viewSections } from './csr-cache-sections.js';

/** Largest byte count requested from one read call. */
const MAX_READ_BYTES = 1 << 30;

export interface ReadCsrCacheOptions {
  /**
   * Check each section against the CRC-32 in the header. Default true. Costs about 70-100 ms per
   * 150 MB with zlib.crc32 (Node 20.15 or later). When off, the CSR structure is validated in full.
   */
  verifyChecksums?: boolean;
}

/** A cache file's contents: the interactions and the header they were read with. */
export interface CsrCacheContents {
  interactions: Interactions;
  header: CacheHeader;
}

/**
 * Reads the CSR cache at `path`. Throws InputError `invalid_file` when the file is missing or
 * unreadable, and `invalid_cache` naming the file and the section when it is truncated, corrupted
 * (CRC-32 mismatch) or structurally inconsistent.
 *
 * @example
 * const { interactions } = await readCsrCache(csrCachePath(defaultCacheDir(), 'ml-100k'));
 */
export async function readCsrCache(path: string, options: ReadCsrCacheOptions = {}): Promise<CsrCacheContents> {
  if (endianness() !== 'LE') {
    throw new InputError('unsupported_platform', `${path}: CSR cache files are little-endian and this machine is big-endian; load the original data file instead`);
  }
  const buffer = await readWholeFile(path);
  const header = parseHeader(path, buffer);
  checkLayout(path, header, buffer.byteLength);
  const isVerified = options.verifyChecksums !== false;
  if (isVerified) verifyChecksums(path, header, buffer);
  const views = viewSections(header, buffer, path);
  return { interactions: buildInteractions(path, header, views, isVerified), header };
}

async function readWholeFile(path: string): Promise<ArrayBuffer> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError('invalid_file', `${path}: CSR cache file ${describeOpenFailure(error)}`, { where: path, received: code }, { cause: error });
  }
  try {
    const size = (await handle.stat()).size;
    // allocUnsafeSlow skips zero-filling (every byte is overwritten below) and owns its ArrayBuffer
    // from byte 0, so section offsets keep their alignment.
    const buffer = Buffer.allocUnsafeSlow(size).buffer as ArrayBuffer;
    let done = 0;
    while (done < size) {
      const length = Math.min(MAX_READ_BYTES, size - done);
      const { bytesRead } = await handle.read(new Uint8Array(buffer, done, length), 0, length, done);
      if (bytesRead === 0) throw cacheError(path, 'file', `the file shrank to ${done} bytes while it was read`);
      done += bytesRead;
    }
    return buffer;
  } finally {
    await handle.close();
  }
}

function parseHeader(path: string, buffer: ArrayBuffer): CacheHeader {
  const size = buffer.byteLength;
  if (size < PREAMBLE_BYTES) throw cacheError(path, 'preamble', `the file has ${size} bytes, fewer than the ${PREAMBLE_BYTES}-byte preamble`, { fileBytes: size });

  const preamble = Buffer.from(buffer, 0, PREAMBLE_BYTES);
  if (!preamble.subarray(0, CACHE_MAGIC.length).equals(CACHE_MAGIC)) {
    throw cacheError(path, 'preamble', `expected the magic bytes "OSUSUME\\0", received ${JSON.stringify(preamble.toString('latin1', 0, CACHE_MAGIC.length))}`);
  }
  const version = preamble.readUInt32LE(8);
  if (version !== CACHE_VERSION) throw cacheError(path, 'preamble', `format version ${version}, but this osusume reads version ${CACHE_VERSION}`, { received: version });
  const headerLength = preamble.readUInt32LE(12);
  if (PREAMBLE_BYTES + headerLength > size) {
    throw cacheError(path, 'header', `the header needs bytes ${PREAMBLE_BYTES}-${PREAMBLE_BYTES + headerLength} but the file has ${size} bytes (truncated)`, { fileBytes: size });
  }

  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(buffer, PREAMBLE_BYTES, headerLength).toString('utf8'));
  } catch (error) {
    throw cacheError(path, 'header', `the header is not valid JSON (${(error as Error).message})`);
  }
  const parsed = cacheHeaderSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw cacheError(path, 'header', `field ${issue.path.join('.') || '(root)'} is invalid: ${issue.message}`, { issues: parsed.error.issues.map((item) => item.message) });
  }
  const header = parsed.data;
  const firstSection = header.sections.reduce((lowest, section) => Math.min(lowest, section.offset), Number.POSITIVE_INFINITY);
  if (firstSection < PREAMBLE_BYTES + headerLength) throw cacheError(path, 'header', `a section starts at byte ${firstSection}, inside the header`);
  return header;
}

function verifyChecksums(path: string, header: CacheHeader, buffer: ArrayBuffer): void {
  for (const section of header.sections) {
    const byteLength = section.dtype === 'utf8' ? section.length : section.length * 4;
    const computed = crc32(new Uint8Array(buffer, section.offset, byteLength));
    if (computed !== section.crc32) {
      throw cacheError(path, `section ${section.name}`, `CRC-32 is ${hex(computed)} but the header records ${hex(section.crc32)} (the file is corrupted)`, {
        expected: hex(section.crc32),
        received: hex(computed),
      });
    }
  }
}

const hex = (value: number) => `0x${value.toString(16).padStart(8, '0')}`;

/**
 * Wraps the sections in a CsrMatrix. With verified checksums the bytes are exactly what writeCsrCache
 * wrote from a CsrMatrix, so only the O(nUsers) indptr checks run. The O(nnz) validateCsr pass (about
 * 60 ms for 17.5M values) runs only when the checksums were not verified.
 */
function buildInteractions(path: string, header: CacheHeader, views: SectionViews, isVerified: boolean): Interactions {
  const [nUsers, nItems] = header.shape;
  const { indptr } = views;
  if (indptr[0] !== 0 || indptr[nUsers] !== header.nnz) {
    throw cacheError(path, 'section indptr', `indptr runs from ${indptr[0]} to ${indptr[nUsers]}, expected 0 to nnz = ${header.nnz}`);
  }
  for (let row = 0; row < nUsers; row++) {
    if (indptr[row + 1] < indptr[row]) throw cacheError(path, 'section indptr', `indptr decreases at row ${row} (${indptr[row]} then ${indptr[row + 1]})`);
  }

  let userItems: CsrMatrix;
  try {
    userItems = new CsrMatrix({ indptr, indices: views.indices, data: views.data, shape: [nUsers, nItems] }, { validate: !isVerified });
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    throw cacheError(path, 'sections indptr, indices and data', error.message.replace(/^invalid CSR matrix: /, ''), error.details);
  }

  const userIds = idMapFrom(path, 'userIdBytes', decodeStrings(views.userIdOffsets, views.userIdBytes));
  const itemIds = idMapFrom(path, 'itemIdBytes', decodeStrings(views.itemIdOffsets, views.itemIdBytes));
  const interactions: Interactions = { userIds, itemIds, userItems, stats: { ...header.stats } };
  if (views.itemNameOffsets !== undefined && views.itemNameBytes !== undefined) {
    interactions.itemNames = decodeStrings(views.itemNameOffsets, views.itemNameBytes);
  }
  return interactions;
}

function idMapFrom(path: string, section: string, ids: string[]): IdMap {
  const map = new IdMap(ids);
  if (map.size !== ids.length) throw cacheError(path, `section ${section}`, `${ids.length - map.size} ids are repeated; every id must be unique`);
  return map;
}

/**
 * Decodes a UTF-8 blob with byte offsets into strings. An all-ASCII blob has one character per byte,
 * so it is decoded once and sliced, about 4x faster than decoding each string. Other blobs are
 * decoded string by string.
 */
export function decodeStrings(offsets: Uint32Array, bytes: Uint8Array): string[] {
  const count = offsets.length - 1;
  const out = new Array<string>(count);
  const blob = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isAscii(blob)) {
    const text = blob.toString('utf8');
    for (let i = 0; i < count; i++) out[i] = text.slice(offsets[i], offsets[i + 1]);
  } else {
    for (let i = 0; i < count; i++) out[i] = blob.toString('utf8', offsets[i], offsets[i + 1]);
  }
  return out;
}
