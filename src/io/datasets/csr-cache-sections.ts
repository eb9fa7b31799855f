// Checks the section table of a CSR cache header against the file and turns sections into typed-array views.

import { InputError } from '../../errors.js';
import { type CacheHeader, type CacheSection, DTYPE_BYTES, SECTION_DTYPES, type SectionName } from './csr-cache-format.js';

/** Typed-array views of every section, sharing the file's ArrayBuffer. */
export interface SectionViews {
  indptr: Uint32Array;
  indices: Uint32Array;
  data: Float32Array;
  userIdOffsets: Uint32Array;
  userIdBytes: Uint8Array;
  itemIdOffsets: Uint32Array;
  itemIdBytes: Uint8Array;
  itemNameOffsets?: Uint32Array;
  itemNameBytes?: Uint8Array;
}

/** Returns InputError `invalid_cache` naming the file and the part of it that is wrong. */
export function cacheError(path: string, part: string, problem: string, details: Record<string, unknown> = {}): InputError {
  return new InputError('invalid_cache', `${path}: invalid CSR cache, ${part}: ${problem}; delete the file and fetch or write the cache again`, { where: path, section: part, ...details });
}

const REQUIRED: readonly SectionName[] = ['indptr', 'indices', 'data', 'userIdOffsets', 'userIdBytes', 'itemIdOffsets', 'itemIdBytes'];

/**
 * Checks that every required section is present once, has its dtype and expected length, lies inside
 * the file and starts at a multiple of its element size. A file shorter than the header's `fileBytes`
 * is reported as truncated, naming the first section that runs past the end.
 */
export function checkLayout(path: string, header: CacheHeader, fileBytes: number): void {
  if (fileBytes < header.fileBytes) {
    const cut = header.sections.find((section) => sectionEnd(section) > fileBytes);
    const part = cut === undefined ? 'file' : `section ${cut.name}`;
    throw cacheError(path, part, `the file has ${fileBytes} bytes but the header records ${header.fileBytes} (truncated)`, { fileBytes, expected: header.fileBytes });
  }
  if (fileBytes > header.fileBytes) {
    throw cacheError(path, 'file', `the file has ${fileBytes - header.fileBytes} bytes after the ${header.fileBytes} that the header records`, { fileBytes, expected: header.fileBytes });
  }

  const seen = new Set<SectionName>();
  for (const section of header.sections) {
    const part = `section ${section.name}`;
    if (seen.has(section.name)) throw cacheError(path, part, 'the section appears twice in the header');
    seen.add(section.name);
    if (section.dtype !== SECTION_DTYPES[section.name]) throw cacheError(path, part, `dtype is ${section.dtype}, expected ${SECTION_DTYPES[section.name]}`);
    if (section.offset % DTYPE_BYTES[section.dtype] !== 0) throw cacheError(path, part, `offset ${section.offset} is not a multiple of ${DTYPE_BYTES[section.dtype]}`);
    if (sectionEnd(section) > header.fileBytes) throw cacheError(path, part, `bytes ${section.offset}-${sectionEnd(section)} run past the recorded file end ${header.fileBytes}`);
  }
  for (const name of REQUIRED) {
    if (!seen.has(name)) throw cacheError(path, `section ${name}`, 'the section is missing from the header');
  }
  if (seen.has('itemNameOffsets') !== seen.has('itemNameBytes')) {
    throw cacheError(path, 'section itemNameOffsets', 'itemNameOffsets and itemNameBytes must both be present or both absent');
  }

  const [nUsers, nItems] = header.shape;
  const expectedLengths: Partial<Record<SectionName, number>> = {
    indptr: nUsers + 1,
    indices: header.nnz,
    data: header.nnz,
    userIdOffsets: nUsers + 1,
    itemIdOffsets: nItems + 1,
    itemNameOffsets: nItems + 1,
  };
  for (const section of header.sections) {
    const expected = expectedLengths[section.name];
    if (expected !== undefined && section.length !== expected) {
      throw cacheError(path, `section ${section.name}`, `has ${section.length} elements, expected ${expected} for shape [${nUsers}, ${nItems}] and ${header.nnz} stored values`);
    }
  }
}

/** Returns views of each section; call checkLayout first. Also checks that string offsets stay inside their blob. */
export function viewSections(header: CacheHeader, buffer: ArrayBuffer, path: string): SectionViews {
  const byName = new Map(header.sections.map((section) => [section.name, section]));
  const uint32 = (name: SectionName) => {
    const section = byName.get(name) as CacheSection;
    return new Uint32Array(buffer, section.offset, section.length);
  };
  const bytes = (name: SectionName) => {
    const section = byName.get(name) as CacheSection;
    return new Uint8Array(buffer, section.offset, section.length);
  };
  const data = byName.get('data') as CacheSection;

  const views: SectionViews = {
    indptr: uint32('indptr'),
    indices: uint32('indices'),
    data: new Float32Array(buffer, data.offset, data.length),
    userIdOffsets: uint32('userIdOffsets'),
    userIdBytes: bytes('userIdBytes'),
    itemIdOffsets: uint32('itemIdOffsets'),
    itemIdBytes: bytes('itemIdBytes'),
  };
  if (byName.has('itemNameOffsets')) {
    views.itemNameOffsets = uint32('itemNameOffsets');
    views.itemNameBytes = bytes('itemNameBytes');
  }

  checkOffsets(path, 'userIdOffsets', views.userIdOffsets, views.userIdBytes.length);
  checkOffsets(path, 'itemIdOffsets', views.itemIdOffsets, views.itemIdBytes.length);
  if (views.itemNameOffsets !== undefined && views.itemNameBytes !== undefined) {
    checkOffsets(path, 'itemNameOffsets', views.itemNameOffsets, views.itemNameBytes.length);
  }
  return views;
}

/** String offsets must start at 0, never decrease and end at the blob length. */
function checkOffsets(path: string, name: SectionName, offsets: Uint32Array, blobBytes: number): void {
  const part = `section ${name}`;
  if (offsets[0] !== 0) throw cacheError(path, part, `the first offset is ${offsets[0]}, expected 0`);
  for (let i = 1; i < offsets.length; i++) {
    if (offsets[i] < offsets[i - 1]) throw cacheError(path, part, `offset ${i} (${offsets[i]}) is below offset ${i - 1} (${offsets[i - 1]})`);
  }
  const last = offsets[offsets.length - 1];
  if (last !== blobBytes) throw cacheError(path, part, `the last offset is ${last} but the string blob has ${blobBytes} bytes`);
}

function sectionEnd(section: CacheSection): number {
  return section.offset + section.length * DTYPE_BYTES[section.dtype];
}
