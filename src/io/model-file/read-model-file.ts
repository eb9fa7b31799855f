// Reads a model file written by writeModelFile: each section is read straight into its own buffer and
// viewed as a typed array, so the factor matrices and the CSR arrays are never copied element by element.

import { endianness } from 'node:os';
import { open, type FileHandle } from 'node:fs/promises';
import { CsrMatrix, validateCsr, type CsrParts } from '../../csr/csr-matrix.js';
import { IdMap } from '../../csr/id-map.js';
import { InputError, invariant } from '../../errors.js';
import { crc32 } from '../datasets/crc32.js';
import { loadChecksum, type Checksum } from './checksum.js';
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
  type SavedOptions,
  type SectionEntry,
} from './format.js';
import { DeferredSection } from './deferred-values.js';
import { failModelFile as fail } from './file-error.js';
import { describeOpenFailure } from '../file-errors.js';
import { checkIdOffsets, decodeIds } from './id-blob.js';

export interface ReadModelFileOptions {
  /**
   * 'full' (default) checks every section's XXH64 and the training matrix's indptr; the checksums
   * show that the rest of the matrix is what save() wrote. 'none' skips the checksums, for files the
   * caller has already verified, and checks the whole CSR structure instead (about 80 ms for 17.5
   * million values).
   */
  verify?: 'full' | 'none';
  /**
   * Returns where the itemFactors section goes: a Float32Array of `length` elements (nItems x factors)
   * that the section is read straight into, such as an array in a backend's shared memory, or undefined
   * for a buffer of its own. Called once, after the header is validated, with the file's model options.
   */
  allocateItemFactors?: (length: number, options: SavedOptions) => Float32Array | undefined | Promise<Float32Array | undefined>;
  /**
   * With verify 'full', leaves the training matrix's values (nnz floats) in the file: the file stays
   * open, userItems.data reads and checks them on first use, and contents.close() closes the file.
   * Default false: every section is read, and the file is closed before readModelFile returns.
   */
  deferValues?: boolean;
}

/** Opens the model file, or throws InputError (invalid_file) naming it. */
async function openModelFile(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (error) {
    throw new InputError('invalid_file', `${path}: model file ${describeOpenFailure(error)}; expected a file written by model.save() or osusume fit`, { where: path, received: (error as NodeJS.ErrnoException).code }, { cause: error });
  }
}

/** Fills `target` from the file starting at byte `position`; returns the bytes read, fewer only at the end of the file. */
async function readInto(handle: FileHandle, target: Uint8Array, position: number): Promise<number> {
  let filled = 0;
  while (filled < target.length) {
    const { bytesRead } = await handle.read(target, filled, target.length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled;
}

/** Reads the preamble and the header bytes after it (up to the length the preamble gives, and the file has). */
async function readHeaderBytes(handle: FileHandle, fileLength: number): Promise<Uint8Array> {
  const preamble = Buffer.alloc(Math.min(PREAMBLE_BYTES, fileLength));
  await readInto(handle, preamble, 0);
  if (preamble.length < PREAMBLE_BYTES) return preamble;
  const headerLength = Math.min(preamble.readUInt32LE(16), fileLength - PREAMBLE_BYTES);
  const bytes = Buffer.alloc(PREAMBLE_BYTES + headerLength);
  preamble.copy(bytes);
  await readInto(handle, bytes.subarray(PREAMBLE_BYTES), PREAMBLE_BYTES);
  return bytes;
}

/**
 * Reads one section into a buffer of its own, so a caller keeps only the sections it holds on to.
 * allocUnsafeSlow returns an unpooled ArrayBuffer of exactly that size, so typed-array views start at
 * offset 0, and skipping the zero fill saves a pass over the section.
 */
async function readSection(path: string, handle: FileHandle, entry: SectionEntry, target?: Uint8Array): Promise<Uint8Array> {
  const bytes = target ?? Buffer.allocUnsafeSlow(entry.byteLength);
  const filled = await readInto(handle, bytes, entry.offset);
  if (filled < entry.byteLength) fail(path, `section ${entry.name}`, `ends at byte ${entry.offset + entry.byteLength} but the file has ${entry.offset + filled} bytes (truncated while it was read)`);
  return bytes;
}

/** Checks magic, version, endianness and the header checksum, then parses and validates the header. */
function readHeader(path: string, bytes: Uint8Array, fileLength: number): ModelHeader {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.length < PREAMBLE_BYTES) fail(path, 'preamble', `the file has ${fileLength} bytes, fewer than the ${PREAMBLE_BYTES}-byte preamble (truncated)`);
  if (!view.subarray(0, 8).equals(MODEL_MAGIC)) fail(path, 'magic', `expected "OSUSMDL\\0" but found ${JSON.stringify(view.subarray(0, 8).toString('latin1'))}`, 'pass a model file written by model.save()');
  const marker = view.readUInt32LE(12);
  if (marker !== ENDIANNESS_MARKER) {
    const reversed = view.readUInt32BE(12) === ENDIANNESS_MARKER;
    fail(path, 'endianness marker', reversed ? 'the file is big-endian but osusume reads only little-endian files' : `expected 0x01020304, found 0x${marker.toString(16)}`, 'save the model again on a little-endian machine');
  }
  const version = view.readUInt32LE(8);
  if (version !== MODEL_FORMAT_VERSION) fail(path, 'format version', `the file has version ${version} but this osusume reads version ${MODEL_FORMAT_VERSION}`, 'save the model again with this osusume version');

  const headerLength = view.readUInt32LE(16);
  if (PREAMBLE_BYTES + headerLength > fileLength) fail(path, 'header', `the header needs ${PREAMBLE_BYTES + headerLength} bytes but the file has ${fileLength} (truncated)`);
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
 * Reads a model file (see ModelFileContents). Each kept section gets a buffer of its own, read straight
 * from the file with no per-element copy; the id sections stay packed behind the id maps. Throws
 * InputError (invalid_file) naming the file and the section for a truncated file, a checksum
 * mismatch, a wrong magic number, format version or endianness, or an invalid header.
 */
export async function readModelFile(path: string, options: ReadModelFileOptions = {}): Promise<ModelFileContents> {
  if (endianness() !== 'LE') throw new InputError('unsupported_platform', `${path}: model files can be read only on little-endian machines`, { where: path });
  const isVerified = (options.verify ?? 'full') === 'full';
  // Unverified values are checked at load with the rest of the matrix, so only verified ones can wait.
  const isDeferred = isVerified && options.deferValues === true;
  const handle = await openModelFile(path);
  let itemFactorsRead: Promise<{ target: Float32Array | undefined; bytes: Uint8Array }> | undefined;
  let keepsFileOpen = false;
  try {
    const stats = await handle.stat();
    const { size } = stats;
    const header = readHeader(path, await readHeaderBytes(handle, size), size);
    const entries = locateSections(path, header, size);
    // Every read starts at once, so the thread pool copies later sections while this thread checks and
    // decodes earlier ones. The item factors wait until the caller has chosen where they go (a backend
    // may be starting), and this thread checks the other sections meanwhile.
    const reads = new Map<ModelSectionName, Promise<Uint8Array>>();
    const startRead = (name: ModelSectionName) => {
      const read = readSection(path, handle, entries[name]);
      // Marked as handled so that a read left behind by an earlier failure is not an unhandled rejection.
      read.catch(() => undefined);
      reads.set(name, read);
    };
    for (const name of modelSectionNames) if (name !== 'itemFactors' && !(isDeferred && name === 'userItemsData')) startRead(name);
    itemFactorsRead = allocateItemFactors(entries.itemFactors, header.options, options.allocateItemFactors).then(async (target) => ({
      target,
      bytes: await readSection(path, handle, entries.itemFactors, target === undefined ? undefined : new Uint8Array(target.buffer, target.byteOffset, target.byteLength)),
    }));
    itemFactorsRead.catch(() => undefined);

    const checksum = isVerified ? await loadChecksum() : undefined;
    const check = (name: ModelSectionName, bytes: Uint8Array) => {
      if (checksum !== undefined && checksum(bytes) !== entries[name].checksum) fail(path, `section ${name}`, `checksum mismatch (${header.checksum})`);
      return bytes;
    };
    const section = async (name: ModelSectionName) => check(name, await (reads.get(name) as Promise<Uint8Array>));
    const floats = async (name: ModelSectionName) => asFloats(await section(name));
    const uints = async (name: ModelSectionName) => asUints(await section(name));

    const userFactors = await floats('userFactors');
    const { nUsers, nItems } = header.shapes;
    const structure = { indptr: await uints('userItemsIndptr'), indices: await uints('userItemsIndices'), shape: [nUsers, nItems] as const };
    const deferred = isDeferred ? new DeferredSection(path, handle, entries.userItemsData, checksum as Checksum, stats) : undefined;
    const userItems =
      deferred === undefined ? new CsrMatrix({ ...structure, data: await floats('userItemsData') }, { validate: false }) : CsrMatrix.withDeferredValues(structure, deferred);
    checkTrainingMatrix(path, { ...structure, data: deferred === undefined ? userItems.data : undefined }, isVerified);
    const userIds = readIdMap(path, 'userIds', await uints('userIdOffsets'), await section('userIdBytes'));
    const itemIds = readIdMap(path, 'itemIds', await uints('itemIdOffsets'), await section('itemIdBytes'));
    const { target, bytes } = await itemFactorsRead;
    check('itemFactors', bytes);
    const itemFactors = target ?? asFloats(bytes);
    keepsFileOpen = deferred !== undefined;
    const contents: ModelFileContents = { options: header.options, userFactors, itemFactors, userItems, userIds, itemIds, training: header.training };
    if (deferred !== undefined) contents.close = () => deferred.close();
    return contents;
  } finally {
    // A failure may come while the backend behind allocateItemFactors is still starting: wait for it,
    // so the caller that started it can release it, and so no read is left on a closed file.
    await itemFactorsRead?.catch(() => undefined);
    if (!keepsFileOpen) await handle.close();
  }
}

/** Returns the caller's array for the itemFactors section, or undefined when allocateItemFactors is absent or gives none. */
async function allocateItemFactors(entry: SectionEntry, saved: SavedOptions, allocate: ReadModelFileOptions['allocateItemFactors']): Promise<Float32Array | undefined> {
  const target = await allocate?.(entry.length, saved);
  invariant(target === undefined || target.length === entry.length, () => `allocateItemFactors returned ${target?.length} elements for a section of ${entry.length}`);
  return target;
}

/**
 * Checks the training matrix's indptr (starts at 0, never decreases, ends at nnz). With verified
 * checksums the sections are exactly what save() wrote from a valid CsrMatrix, so the O(nnz) pass of
 * validateCsr over the indices and values (about 15% of a checked load of 17.5M values) is skipped, as
 * readCsrCache does. Without verified checksums nothing vouches for the bytes, so validateCsr runs.
 */
function checkTrainingMatrix(path: string, parts: Omit<CsrParts, 'data'> & { data: Float32Array | undefined }, isVerified: boolean): void {
  try {
    if (!isVerified) {
      validateCsr(parts as CsrParts);
      return;
    }
    const { indptr, indices, shape } = parts;
    const nRows = shape[0];
    if (indptr[0] !== 0 || indptr[nRows] !== indices.length) throw new Error(`indptr runs from ${indptr[0]} to ${indptr[nRows]}, expected 0 to nnz = ${indices.length}`);
    for (let row = 0; row < nRows; row++) {
      if (indptr[row + 1] < indptr[row]) throw new Error(`indptr decreases at row ${row} (${indptr[row]} then ${indptr[row + 1]})`);
    }
  } catch (error) {
    fail(path, 'section userItems', (error as Error).message);
  }
}

const asFloats = (bytes: Uint8Array) => new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
const asUints = (bytes: Uint8Array) => new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);

/**
 * Returns the id map of an id section pair. The ids stay packed in the section bytes (see
 * IdMap.fromPacked), which needs a fraction of the time and heap of one string and Map entry per id.
 * When packing finds a problem, the ids are decoded one by one to name it.
 */
function readIdMap(path: string, name: string, offsets: Uint32Array, bytes: Uint8Array): IdMap {
  const offsetProblem = checkIdOffsets(offsets, bytes);
  if (offsetProblem !== undefined) fail(path, `section ${name}`, offsetProblem);
  const packed = IdMap.fromPacked(offsets, bytes);
  if (packed !== undefined) return packed;
  const ids = decodeIds(offsets, bytes);
  if (typeof ids === 'string') fail(path, `section ${name}`, ids);
  try {
    return IdMap.fromUnique(ids);
  } catch (error) {
    if (!(error instanceof InputError) || error.code !== 'duplicate_id') throw error;
    fail(path, `section ${name}`, error.message.replace(/; ids must be unique$/, ''));
  }
}
