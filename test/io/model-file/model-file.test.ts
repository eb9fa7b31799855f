// Model files: save/load round trips and rejection of every kind of damaged file.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlternatingLeastSquares } from '../../../src/als/index.js';
import type { Backend } from '../../../src/backends/backend.js';
import { createCpuBackend } from '../../../src/backends/cpu/index.js';
import { IdMap } from '../../../src/csr/id-map.js';
import { InputError } from '../../../src/errors.js';
import { readModelFile, writeModelFile } from '../../../src/io/model-file/index.js';
import { modelSectionNames, type ModelHeader } from '../../../src/io/model-file/format.js';
import { randomSparse } from '../../helpers/small-matrices.js';

const folder = mkdtempSync(join(tmpdir(), 'osusume-model-file-test-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

// Ids with non-ASCII characters exercise the per-id UTF-8 decoding path.
const userItems = randomSparse(40, 25, 0.2, 7);
const interactions = {
  userIds: new IdMap(Array.from({ length: 40 }, (_, u) => (u % 7 === 0 ? `ユーザー${u}` : `user-${u}`))),
  itemIds: new IdMap(Array.from({ length: 25 }, (_, i) => `item-${i}`)),
  userItems,
};

/** Returns the header and a copy of the bytes of a saved model file. */
function readRaw(path: string): { bytes: Buffer; header: ModelHeader } {
  const bytes = readFileSync(path);
  const header = JSON.parse(bytes.subarray(24, 24 + bytes.readUInt32LE(16)).toString('utf8')) as ModelHeader;
  return { bytes, header };
}

async function loadError(path: string): Promise<InputError> {
  const error = await readModelFile(path).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(InputError);
  expect((error as InputError).code).toBe('invalid_file');
  return error as InputError;
}

describe('model file', () => {
  let backend: Backend;
  let model: AlternatingLeastSquares;
  let path: string;

  beforeAll(async () => {
    backend = await createCpuBackend({ threads: 1 });
    model = new AlternatingLeastSquares({ factors: 6, iterations: 3, seed: 11, calculateTrainingLoss: true, backend });
    await model.fit(interactions);
    path = join(folder, 'model.osm');
    await model.save(path);
  });

  afterAll(async () => {
    await model.dispose();
    await backend.dispose();
  });

  it('loads identical recommendations', async () => {
    const loaded = await AlternatingLeastSquares.load(path, { backend });
    const before = await model.recommendBatch(undefined, { n: 5 });
    const after = await loaded.recommendBatch(undefined, { n: 5 });
    expect(after.userIds).toEqual(before.userIds);
    expect(after.items).toEqual(before.items);
    expect(after.scores).toEqual(before.scores);
    expect(await loaded.similarItems('item-3', { n: 4 })).toEqual(await model.similarItems('item-3', { n: 4 }));
    expect(await loaded.recommend('ユーザー7', { n: 3 })).toEqual(await model.recommend('ユーザー7', { n: 3 }));
    await loaded.dispose();
  });

  it('restores ids, options and the training summary', async () => {
    const loaded = await AlternatingLeastSquares.load(path, { backend });
    expect(loaded.userIds.toArray()).toEqual(model.userIds.toArray());
    expect(loaded.itemIds.toArray()).toEqual(model.itemIds.toArray());
    expect(loaded.options.factors).toBe(6);
    expect(loaded.options.seed).toBe(11);
    expect(loaded.seed).toBe(11);
    expect(loaded.losses).toEqual(model.losses);
    expect(loaded.userFactors).toEqual(model.userFactors);
    expect(loaded.userItems?.indices).toEqual(userItems.indices);
    expect(loaded.userItems?.data).toEqual(userItems.data);
    expect(loaded.toContents().training.source).toBe(`osusume fit (${path})`);
    await loaded.dispose();
  });

  it('reads item factors into the CPU arena', async () => {
    const stored = await readModelFile(path);
    const loaded = await AlternatingLeastSquares.load(path, { backend });
    expect(loaded.itemFactors.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(stored.itemFactors.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    expect(loaded.itemFactors).toEqual(stored.itemFactors);
    await loaded.dispose();
  });

  it('keeps arena item factors of one model when another is disposed', async () => {
    const first = await AlternatingLeastSquares.load(path, { backend });
    const second = await AlternatingLeastSquares.load(path, { backend });
    await first.recommendBatch(undefined, { n: 5 });
    await first.dispose();
    // The third model may reuse the arena block the first one freed.
    const third = await AlternatingLeastSquares.load(path, { backend });
    const reference = await AlternatingLeastSquares.fromContents(await readModelFile(path), { device: 'cpu', threads: 1 });
    const expected = await reference.recommendBatch(undefined, { n: 5 });
    await reference.dispose();
    for (const loaded of [second, third]) {
      const after = await loaded.recommendBatch(undefined, { n: 5 });
      expect(after.items).toEqual(expected.items);
      expect(after.scores).toEqual(expected.scores);
    }
    await second.dispose();
    await third.dispose();
  });

  it('reads item factors into the array allocateItemFactors returns', async () => {
    const target = new Float32Array(model.itemFactors.length);
    const seen: number[] = [];
    const contents = await readModelFile(path, {
      allocateItemFactors: (length, saved) => {
        seen.push(length, saved.factors);
        return target;
      },
    });
    const stored = await readModelFile(path);
    expect(seen).toEqual([stored.itemFactors.length, 6]);
    expect(contents.itemFactors).toBe(target);
    expect(target).toEqual(stored.itemFactors);
  });

  it('rejects repeated ids', async () => {
    const contents = model.toContents();
    const itemIds = contents.itemIds.toArray();
    itemIds[9] = itemIds[4];
    const repeated = { size: itemIds.length, toArray: () => itemIds } as unknown as IdMap;
    const repeatedPath = join(folder, 'repeated-ids.osm');
    await writeModelFile(repeatedPath, { ...contents, itemIds: repeated });
    expect((await loadError(repeatedPath)).message).toBe(
      `${repeatedPath}: section itemIds: id "item-4" occurs at index 4 and at index 9 (1 duplicate ids in all); the file is damaged or was not written by osusume; save the model again`,
    );
  });

  it('refuses to save an id with a lone surrogate and leaves no file', async () => {
    const contents = model.toContents();
    const itemIds = contents.itemIds.toArray();
    itemIds[3] = 'a\ud800';
    const lonePath = join(folder, 'lone-surrogate.osm');
    const error = await writeModelFile(lonePath, { ...contents, itemIds: IdMap.fromUnique(itemIds) }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe(
      `${lonePath}: cannot save item id "a\\ud800" (index 3): invalid id, it contains a lone UTF-16 surrogate, which has no UTF-8 form; use ids that are valid Unicode text`,
    );
    expect(readdirSync(folder).some((name) => name.startsWith('lone-surrogate'))).toBe(false);
  });

  it('aligns every section to 64 bytes', () => {
    const { header } = readRaw(path);
    expect(header.sections.map((section) => section.name)).toEqual([...modelSectionNames]);
    for (const section of header.sections) expect(section.offset % 64).toBe(0);
  });

  it('leaves no temporary file behind', async () => {
    await model.save(path);
    expect(readdirSync(folder).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('reports a folder that does not exist', async () => {
    const error = await model.save(join(folder, 'missing', 'model.osm')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toContain('cannot create a temporary file');
  });

  it('rejects a byte flipped in each section', async () => {
    const { bytes, header } = readRaw(path);
    for (const section of header.sections) {
      if (section.byteLength === 0) continue;
      const damaged = Buffer.from(bytes);
      damaged[section.offset + (section.byteLength >> 1)] ^= 0x40;
      const damagedPath = join(folder, `flip-${section.name}.osm`);
      writeFileSync(damagedPath, damaged);
      const error = await loadError(damagedPath);
      expect(error.message).toBe(`${damagedPath}: section ${section.name}: checksum mismatch (xxh64); the file is damaged or was not written by osusume; save the model again`);
    }
  });

  it('skips checksums when verify is none', async () => {
    const { bytes, header } = readRaw(path);
    const section = header.sections.find((entry) => entry.name === 'itemFactors')!;
    const damaged = Buffer.from(bytes);
    damaged[section.offset] ^= 0x01;
    const damagedPath = join(folder, 'unverified.osm');
    writeFileSync(damagedPath, damaged);
    const contents = await readModelFile(damagedPath, { verify: 'none' });
    expect(contents.itemFactors[0]).not.toBe(model.itemFactors[0]);
  });

  it('rejects a bad column unverified', async () => {
    const { bytes, header } = readRaw(path);
    const section = header.sections.find((entry) => entry.name === 'userItemsIndices')!;
    const damaged = Buffer.from(bytes);
    damaged.writeUInt32LE(0xffffffff, section.offset + 4 * (section.length >> 1));
    const damagedPath = join(folder, 'unverified-csr.osm');
    writeFileSync(damagedPath, damaged);
    const error = await readModelFile(damagedPath, { verify: 'none' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe('invalid_file');
    expect((error as InputError).message).toContain(`${damagedPath}: section userItems: invalid CSR matrix: column index 4294967295`);
    // With checksums on, the same damage is caught as a checksum mismatch before the matrix is looked at.
    expect((await loadError(damagedPath)).message).toContain('section userItemsIndices: checksum mismatch');
  });

  it('loads a verified training matrix', async () => {
    const contents = await readModelFile(path);
    expect(Array.from(contents.userItems.indptr)).toEqual(Array.from(userItems.indptr));
    expect(Array.from(contents.userItems.indices)).toEqual(Array.from(userItems.indices));
    expect(Array.from(contents.userItems.data)).toEqual(Array.from(userItems.data));
  });

  it('rejects a byte flipped in the header', async () => {
    const { bytes } = readRaw(path);
    const damaged = Buffer.from(bytes);
    damaged[30] ^= 0x01;
    const damagedPath = join(folder, 'flip-header.osm');
    writeFileSync(damagedPath, damaged);
    expect((await loadError(damagedPath)).message).toContain('header: CRC-32 mismatch');
  });

  it('rejects truncated files, naming the section cut short', async () => {
    const { bytes, header } = readRaw(path);
    const last = header.sections[header.sections.length - 1];
    const cases: Array<[number, string]> = [
      [10, 'preamble: the file has 10 bytes, fewer than the 24-byte preamble (truncated)'],
      [100, `header: the header needs ${24 + bytes.readUInt32LE(16)} bytes but the file has 100 (truncated)`],
      [last.offset + 1, `section ${last.name}: ends at byte ${last.offset + last.byteLength} but the file has ${last.offset + 1} bytes (truncated)`],
      [header.sections[1].offset + 8, `section ${header.sections[1].name}: ends at byte`],
    ];
    for (const [length, message] of cases) {
      const truncatedPath = join(folder, `truncated-${length}.osm`);
      writeFileSync(truncatedPath, bytes.subarray(0, length));
      expect((await loadError(truncatedPath)).message).toContain(`${truncatedPath}: ${message}`);
    }
  });

  it('rejects a wrong magic number', async () => {
    const damaged = Buffer.from(readRaw(path).bytes);
    damaged.write('NOTMODEL', 0, 'latin1');
    const damagedPath = join(folder, 'magic.osm');
    writeFileSync(damagedPath, damaged);
    expect((await loadError(damagedPath)).message).toBe(`${damagedPath}: magic: expected "OSUSMDL\\0" but found "NOTMODEL"; pass a model file written by model.save()`);
  });

  it('rejects another format version', async () => {
    const damaged = Buffer.from(readRaw(path).bytes);
    damaged.writeUInt32LE(99, 8);
    const damagedPath = join(folder, 'version.osm');
    writeFileSync(damagedPath, damaged);
    expect((await loadError(damagedPath)).message).toBe(`${damagedPath}: format version: the file has version 99 but this osusume reads version 1; save the model again with this osusume version`);
  });

  it('rejects a big-endian file', async () => {
    const damaged = Buffer.from(readRaw(path).bytes);
    damaged.writeUInt32BE(0x01020304, 12);
    const damagedPath = join(folder, 'endianness.osm');
    writeFileSync(damagedPath, damaged);
    expect((await loadError(damagedPath)).message).toBe(
      `${damagedPath}: endianness marker: the file is big-endian but osusume reads only little-endian files; save the model again on a little-endian machine`,
    );
  });

  it('rejects a file that is not there', async () => {
    const absent = join(folder, 'absent.osm');
    const error = await AlternatingLeastSquares.load(absent, { backend }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe(`${absent}: model file not found; expected a file written by model.save() or osusume fit`);
  });
});
