// Reads a model file written by writeModelFile: one read into memory, then typed-array views of the
// aligned sections, so the factor matrices and the CSR arrays are never copied element by element.

import { endianness } from 'node:os';
import { open } from 'node:fs/promises';
import { CsrMatrix, validateCsr } from '../../csr/csr-matrix.js';
import { IdMap } from '../../csr/id-map.js';
import { InputError } from '../../errors.js';
import { crc32 } from '../datasets/crc32.js';
import { loadChecksum } from './checksum.js';
import type { ModelFileContents } from './contents.js';
import {
  DTYPE_BYTES,
  ENDIANNESS_MARKER,
  MODEL_FORMAT_VERSION,
  MODEL_MAGIC,
  modelHeaderSchema,
  modelSectionNames,
  PREAMBLE_BYTES,
  SECTION_ALIGNMENT,
  SECTION_DTYPES,
  type ModelHeader,
  type ModelSectionName,
  type SectionEntry,
} from './format.js';
import { decodeIds } from './id-blob.js';

export interface ReadModelFileOptions {
  /**
   * 'full' (default) checks every section's XXH64 and the CSR structure (about 0.1 s for a 285 MB
   * file); 'none' skips both, for files the caller has already verified.
   */
  verify?: 'full' | 'none';
}

/** Throws InputError (invalid_file) naming the file and the part of it that is wrong. */
function fail(path: string, where: string, problem: string, fix = 'the file is damaged or was not written by osusume; save the model again'): never {
  throw new InputError('invalid_file', `${path}: ${where}: ${problem}; ${fix}`, { where: `${path} ${where}` });
}

/** Reads the whole file into one ArrayBuffer-backed array whose offset 0 is 64-byte aligned. */
async function readWhole(path: string): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new InputError('invalid_file', `${path}: cannot open the model file: ${(error as Error).message}`, { where: path }, { cause: error });
  }
  try {
    const { size } = await handle.stat();
    // allocUnsafeSlow returns a fresh, unpooled ArrayBuffer: offset 0 is an allocation boundary, so section
    // offsets that are multiples of 64 stay aligned, and skipping the zero fill saves a pass over the file.
    const bytes = Buffer.allocUnsafeSlow(size);
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await handle.read(bytes, filled, size - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled === size ? bytes : bytes.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

/** Checks magic, version, endianness and the header checksum, then parses and validates the header. */
function readHeader(path: string, bytes: Uint8Array): ModelHeader {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.length < PREAMBLE_BYTES) fail(path, 'preamble', `the file has ${view.length} bytes, fewer than the ${PREAMBLE_BYTES}-byte preamble (truncated)`);
  if (!view.subarray(0, 8).equals(MODEL_MAGIC)) fail(path, 'magic', `expected "OSUSMDL\\0" but found ${JSON.stringify(view.subarray(0, 8).toString('latin1'))}`, 'pass a model file written by model.save()');
  const marker = view.readUInt32LE(12);
  if (marker !== ENDIANNESS_MARKER) {
    const reversed = view.readUInt32BE(12) === ENDIANNESS_MARKER;
    fail(path, 'endianness marker', reversed ? 'the file is big-endian but osusume reads only little-endian files' : `expected 0x01020304, found 0x${marker.toString(16)}`, 'save the model again on a little-endian machine');
  }
  const version = view.readUInt32LE(8);
  if (version !== MODEL_FORMAT_VERSION) fail(path, 'format version', `the file has version ${version} but this osusume reads version ${MODEL_FORMAT_VERSION}`, 'save the model again with this osusume version');

  const headerLength = view.readUInt32LE(16);
  if (PREAMBLE_BYTES + headerLength > view.length) fail(path, 'header', `the header needs ${PREAMBLE_BYTES + headerLength} bytes but the file has ${view.length} (truncated)`);
  const headerBytes = view.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + headerLength);
  if (crc32(headerBytes) !== view.readUInt32LE(20)) fail(path, 'header', 'CRC-32 mismatch');

  let json: unknown;
  try {
    json = JSON.parse(headerBytes.toString('utf8'));
  } catch {
    fail(path, 'header', 'not valid JSON');
  }
  const parsed = modelHeaderSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail(path, 'header', `field ${issue.path.join('.') || '(root)'} is invalid: ${issue.message}`);
  }
  return parsed.data;
}

/** Returns the section entries by name, checking bounds, alignment and the length each section must have. */
function locateSections(path: string, header: ModelHeader, fileLength: number): Record<ModelSectionName, SectionEntry> {
  const { nUsers, nItems, factors, nnz } = header.shapes;
  const expectedLengths: Partial<Record<ModelSectionName, number>> = {
    userFactors: nUsers * factors,
    itemFactors: nItems * factors,
    userItemsIndptr: nUsers + 1,
    userItemsIndices: nnz,
    userItemsData: nnz,
    userIdOffsets: nUsers + 1,
    itemIdOffsets: nItems + 1,
  };
  const found = new Map(header.sections.map((entry) => [entry.name, entry]));
  for (const name of modelSectionNames) {
    const entry = found.get(name);
    if (entry === undefined) fail(path, `section ${name}`, 'missing from the header');
    if (entry.dtype !== SECTION_DTYPES[name]) fail(path, `section ${name}`, `dtype is ${entry.dtype}, expected ${SECTION_DTYPES[name]}`);
    if (entry.byteLength !== entry.length * DTYPE_BYTES[entry.dtype]) fail(path, `section ${name}`, `byteLength ${entry.byteLength} does not match ${entry.length} ${entry.dtype} elements`);
    const expected = expectedLengths[name];
    if (expected !== undefined && entry.length !== expected) fail(path, `section ${name}`, `has ${entry.length} elements, expected ${expected} for the shapes in the header`);
    if (entry.offset % SECTION_ALIGNMENT !== 0) fail(path, `section ${name}`, `offset ${entry.offset} is not a multiple of ${SECTION_ALIGNMENT}`);
    if (entry.offset + entry.byteLength > fileLength) fail(path, `section ${name}`, `ends at byte ${entry.offset + entry.byteLength} but the file has ${fileLength} bytes (truncated)`);
  }
  return Object.fromEntries(found) as Record<ModelSectionName, SectionEntry>;
}

/**
 * Reads a model file into typed-array views of one buffer (see ModelFileContents). Throws InputError
 * (invalid_file) naming the file and the section for a truncated file, a checksum mismatch, a wrong
 * magic number, format version or endianness, or an invalid header.
 */
export async function readModelFile(path: string, options: ReadModelFileOptions = {}): Promise<ModelFileContents> {
  if (endianness() !== 'LE') throw new InputError('unsupported_platform', `${path}: model files can be read only on little-endian machines`, { where: path });
  const isVerified = (options.verify ?? 'full') === 'full';
  const bytes = await readWhole(path);
  const header = readHeader(path, bytes);
  const entries = locateSections(path, header, bytes.length);

  if (isVerified) {
    const checksum = await loadChecksum();
    for (const name of modelSectionNames) {
      const entry = entries[name];
      if (checksum(bytes.subarray(entry.offset, entry.offset + entry.byteLength)) !== entry.checksum) fail(path, `section ${name}`, `checksum mismatch (${header.checksum})`);
    }
  }
  const slice = (name: ModelSectionName) => bytes.subarray(entries[name].offset, entries[name].offset + entries[name].byteLength);
  const floats = (name: ModelSectionName) => new Float32Array(bytes.buffer, bytes.byteOffset + entries[name].offset, entries[name].length);
  const uints = (name: ModelSectionName) => new Uint32Array(bytes.buffer, bytes.byteOffset + entries[name].offset, entries[name].length);

  const { nUsers, nItems } = header.shapes;
  const csrParts = { indptr: uints('userItemsIndptr'), indices: uints('userItemsIndices'), data: floats('userItemsData'), shape: [nUsers, nItems] as const };
  if (isVerified) {
    try {
      validateCsr(csrParts);
    } catch (error) {
      fail(path, 'section userItems', (error as Error).message);
    }
  }
  return {
    options: header.options,
    userFactors: floats('userFactors'),
    itemFactors: floats('itemFactors'),
    userItems: new CsrMatrix(csrParts, { validate: false }),
    userIds: readIdMap(path, 'userIds', uints('userIdOffsets'), slice('userIdBytes')),
    itemIds: readIdMap(path, 'itemIds', uints('itemIdOffsets'), slice('itemIdBytes')),
    training: header.training,
  };
}

function readIdMap(path: string, name: string, offsets: Uint32Array, bytes: Uint8Array): IdMap {
  const ids = decodeIds(offsets, bytes);
  if (typeof ids === 'string') fail(path, `section ${name}`, ids);
  const idMap = new IdMap(ids);
  if (idMap.size !== ids.length) fail(path, `section ${name}`, `contains ${ids.length - idMap.size} duplicate ids`);
  return idMap;
}
