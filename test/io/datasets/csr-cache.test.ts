import { open, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CsrMatrix } from '../../../src/csr/csr-matrix.js';
import { IdMap } from '../../../src/csr/id-map.js';
import { emptyStats, type Interactions } from '../../../src/csr/interactions.js';
import { InputError } from '../../../src/errors.js';
import { crc32, crc32Portable } from '../../../src/io/datasets/crc32.js';
import { type CacheHeader, PREAMBLE_BYTES } from '../../../src/io/datasets/csr-cache-format.js';
import { readCsrCache } from '../../../src/io/datasets/csr-cache-reader.js';
import { writeCsrCache } from '../../../src/io/datasets/csr-cache-writer.js';
import { csrCachePath, defaultCacheDir, listDatasets, loadDatasetCache } from '../../../src/io/datasets/index.js';
import { expectSameInteractions, makeTempDir } from './fixtures.js';

/** 3 users x 4 items with a user who has no items, non-ASCII ids and item names. */
function sampleInteractions(withNames: boolean): Interactions {
  const userItems = new CsrMatrix({
    indptr: Uint32Array.of(0, 2, 2, 5),
    indices: Uint32Array.of(1, 3, 0, 1, 2),
    data: Float32Array.of(1.5, 2, 3, 0.25, 1e6),
    shape: [3, 4],
  });
  const stats = { ...emptyStats(), lines: 6, rows: 5, duplicatesSummed: 1, firstInvalidLine: 'x:1: bad' };
  const interactions: Interactions = {
    userIds: new IdMap(['u1', 'ユーザー', 'u3']),
    itemIds: new IdMap(['10', '20', 'die Ärzte', '40']),
    userItems,
    stats,
  };
  if (withNames) interactions.itemNames = ['ten', 'twenty', 'die Ärzte', ''];
  return interactions;
}

/** Reads the JSON header of a cache file. */
async function readHeader(path: string): Promise<CacheHeader> {
  const bytes = await readFile(path);
  const length = bytes.readUInt32LE(12);
  return JSON.parse(bytes.toString('utf8', PREAMBLE_BYTES, PREAMBLE_BYTES + length)) as CacheHeader;
}

async function expectCacheError(path: string, pattern: RegExp): Promise<InputError> {
  const error = await readCsrCache(path).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InputError);
  expect((error as InputError).code).toBe('invalid_cache');
  expect((error as InputError).message).toContain(path);
  expect((error as InputError).message).toMatch(pattern);
  return error as InputError;
}

let folder: string;
beforeEach(async () => {
  folder = await makeTempDir('csr-cache');
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('writeCsrCache and readCsrCache', () => {
  it('round-trips ids, names, stats and arrays', async () => {
    const original = sampleInteractions(true);
    const path = join(folder, 'sample.csr.bin');
    const bytes = await writeCsrCache(path, original, { dataset: 'sample', origin: 'test' });

    const { interactions, header } = await readCsrCache(path);
    expectSameInteractions(interactions, original);
    expect(header.fileBytes).toBe(bytes);
    expect(header.source).toMatchObject({ dataset: 'sample', origin: 'test' });
    expect(interactions.userIds.indexOf('ユーザー')).toBe(1);
  });

  it('round-trips a matrix without item names', async () => {
    const original = sampleInteractions(false);
    const path = join(folder, 'plain.csr.bin');
    await writeCsrCache(path, original, { origin: 'test' });
    const { interactions } = await readCsrCache(path);
    expectSameInteractions(interactions, original);
    expect(interactions.itemNames).toBeUndefined();
  });

  it('round-trips an empty matrix', async () => {
    const empty: Interactions = {
      userIds: new IdMap(),
      itemIds: new IdMap(),
      userItems: new CsrMatrix({ indptr: Uint32Array.of(0), indices: new Uint32Array(0), data: new Float32Array(0), shape: [0, 0] }),
      stats: emptyStats(),
    };
    const path = join(folder, 'empty.csr.bin');
    await writeCsrCache(path, empty, { origin: 'test' });
    expectSameInteractions((await readCsrCache(path)).interactions, empty);
  });

  it('maps numeric sections without copying them', async () => {
    const path = join(folder, 'views.csr.bin');
    await writeCsrCache(path, sampleInteractions(true), { origin: 'test' });
    const { userItems } = (await readCsrCache(path)).interactions;
    expect(userItems.indices.buffer).toBe(userItems.indptr.buffer);
    expect(userItems.data.buffer).toBe(userItems.indptr.buffer);
    expect(userItems.indptr.byteOffset % 64).toBe(0);
    expect(userItems.data.byteOffset % 64).toBe(0);
  });

  it('leaves only the final file in the folder', async () => {
    await writeCsrCache(join(folder, 'a.csr.bin'), sampleInteractions(true), { origin: 'test' });
    await writeCsrCache(join(folder, 'a.csr.bin'), sampleInteractions(false), { origin: 'test' });
    expect(await readdir(folder)).toEqual(['a.csr.bin']);
    expect((await readCsrCache(join(folder, 'a.csr.bin'))).interactions.itemNames).toBeUndefined();
  });

  it('rejects ids that do not match the matrix shape and writes nothing', async () => {
    const broken = sampleInteractions(true);
    broken.userIds = new IdMap(['only one']);
    await expect(writeCsrCache(join(folder, 'bad.csr.bin'), broken, { origin: 'test' })).rejects.toThrow(/3 rows but 1 user ids/);
    expect(await readdir(folder)).toEqual([]);
  });
});

describe('readCsrCache errors', () => {
  let path: string;
  let header: CacheHeader;
  beforeEach(async () => {
    path = join(folder, 'sample.csr.bin');
    await writeCsrCache(path, sampleInteractions(true), { origin: 'test' });
    header = await readHeader(path);
  });
  const sectionOffset = (name: string) => header.sections.find((section) => section.name === name)?.offset ?? -1;

  it('names a missing file', async () => {
    await expect(readCsrCache(join(folder, 'none.csr.bin'))).rejects.toMatchObject({ code: 'invalid_file', message: expect.stringMatching(/none\.csr\.bin: CSR cache file not found/) });
  });

  it('names the section cut by truncation', async () => {
    await truncate(path, sectionOffset('indices') + 4);
    const error = await expectCacheError(path, /section indices: the file has \d+ bytes but the header records \d+ \(truncated\)/);
    expect(error.details.section).toBe('section indices');
  });

  it('names the header when truncated inside it', async () => {
    await truncate(path, PREAMBLE_BYTES + 10);
    await expectCacheError(path, /header: the header needs bytes 16-\d+ but the file has 26 bytes \(truncated\)/);
  });

  it('names the preamble of a tiny file', async () => {
    await truncate(path, 5);
    await expectCacheError(path, /preamble: the file has 5 bytes, fewer than the 16-byte preamble/);
  });

  it('detects a flipped byte by its section checksum', async () => {
    const handle = await open(path, 'r+');
    const offset = sectionOffset('data') + 5;
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, offset);
    byte[0] ^= 0x40;
    await handle.write(byte, 0, 1, offset);
    await handle.close();
    await expectCacheError(path, /section data: CRC-32 is 0x[0-9a-f]{8} but the header records 0x[0-9a-f]{8} \(the file is corrupted\)/);
  });

  it('skips checksums when asked', async () => {
    const handle = await open(path, 'r+');
    await handle.write(Buffer.from([0x41]), 0, 1, sectionOffset('itemNameBytes'));
    await handle.close();
    const { interactions } = await readCsrCache(path, { verifyChecksums: false });
    expect(interactions.itemNames?.[0]).toBe('Aen');
  });

  it('validates the matrix without checksums', async () => {
    const handle = await open(path, 'r+');
    const index = Buffer.alloc(4);
    index.writeUInt32LE(9);
    await handle.write(index, 0, 4, sectionOffset('indices'));
    await handle.close();
    const error = await readCsrCache(path, { verifyChecksums: false }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(/sections indptr, indices and data: column index 9 in row 0 is out of range for 4 columns/);
  });

  it('rejects a decreasing indptr without checksums', async () => {
    const handle = await open(path, 'r+');
    const value = Buffer.alloc(4);
    value.writeUInt32LE(1);
    await handle.write(value, 0, 4, sectionOffset('indptr') + 8);
    await handle.close();
    await expect(readCsrCache(path, { verifyChecksums: false })).rejects.toThrow(/section indptr: indptr decreases at row 1 \(2 then 1\)/);
  });

  it('rejects a file with the wrong magic', async () => {
    await writeFile(path, Buffer.concat([Buffer.from('NOTACACHE-------'), Buffer.alloc(64)]));
    await expectCacheError(path, /preamble: expected the magic bytes "OSUSUME\\0", received "NOTACACH"/);
  });

  it('rejects another format version', async () => {
    const bytes = await readFile(path);
    bytes.writeUInt32LE(99, 8);
    await writeFile(path, bytes);
    await expectCacheError(path, /preamble: format version 99, but this osusume reads version 1/);
  });

  it('rejects a header that fails the schema', async () => {
    const bytes = await readFile(path);
    const length = bytes.readUInt32LE(12);
    const text = bytes.toString('utf8', PREAMBLE_BYTES, PREAMBLE_BYTES + length).replace('"shape":[3,4]', '"shape":[3.5]');
    bytes.write(text, PREAMBLE_BYTES, 'utf8');
    await writeFile(path, bytes);
    await expectCacheError(path, /header: field shape(\.\d)? is invalid/);
  });

  it('rejects trailing bytes', async () => {
    const bytes = await readFile(path);
    await writeFile(path, Buffer.concat([bytes, Buffer.alloc(3)]));
    await expectCacheError(path, /file: the file has 3 bytes after the \d+ that the header records/);
  });
});

describe('crc32', () => {
  it('matches zlib for the table version', () => {
    const bytes = Buffer.from('The quick brown fox jumps over the lazy dog');
    expect(crc32Portable(bytes)).toBe(0x414fa339);
    expect(crc32(bytes)).toBe(0x414fa339);
    const native = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
    if (native !== undefined) expect(crc32Portable(bytes.subarray(3))).toBe(native(bytes.subarray(3)) >>> 0);
  });
});

describe('dataset cache folder', () => {
  it('prefers OSUSUME_CACHE_DIR, then XDG_CACHE_HOME', () => {
    expect(defaultCacheDir({ OSUSUME_CACHE_DIR: '/srv/cache', XDG_CACHE_HOME: '/x' })).toBe('/srv/cache');
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/osusume');
    expect(defaultCacheDir({ XDG_CACHE_HOME: 'relative' })).toMatch(/\.cache[/\\]osusume$/);
  });

  it('reports a data set that is not cached', async () => {
    await expect(loadDatasetCache('ml-100k', { cacheDir: folder })).rejects.toMatchObject({ code: 'dataset_not_cached' });
    await expect(loadDatasetCache('ml-7', { cacheDir: folder })).rejects.toMatchObject({ code: 'unknown_dataset', message: expect.stringContaining('ml-100k') });
  });

  it('lists cached and uncached data sets', async () => {
    await writeCsrCache(csrCachePath(folder, 'ml-1m'), sampleInteractions(false), { dataset: 'ml-1m', origin: 'test' });
    const listed = await listDatasets({ cacheDir: folder });
    expect(listed.map((status) => status.entry.name)).toEqual(['lastfm-360k', 'ml-100k', 'ml-1m', 'ml-20m', 'ml-25m']);
    expect(listed.find((status) => status.entry.name === 'ml-1m')?.cacheBytes).toBeGreaterThan(0);
    expect(listed.find((status) => status.entry.name === 'ml-100k')?.cacheBytes).toBeUndefined();
    expect((await loadDatasetCache('ml-1m', { cacheDir: folder })).userItems.nnz).toBe(5);
  });
});
