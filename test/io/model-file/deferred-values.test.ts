// Loaded models leave the training values in the model file until first use: the reads must see the
// loaded file, check its checksum and stop once the model is disposed.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlternatingLeastSquares } from '../../../src/als/index.js';
import type { Backend } from '../../../src/backends/backend.js';
import { createCpuBackend } from '../../../src/backends/cpu/index.js';
import { CsrMatrix } from '../../../src/csr/csr-matrix.js';
import { IdMap } from '../../../src/csr/id-map.js';
import { InputError } from '../../../src/errors.js';
import { readModelFile } from '../../../src/io/model-file/index.js';
import type { ModelHeader } from '../../../src/io/model-file/format.js';
import { randomSparse } from '../../helpers/small-matrices.js';

const folder = mkdtempSync(join(tmpdir(), 'osusume-deferred-values-test-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const userItems = randomSparse(30, 20, 0.25, 3).mapData((value) => 1 + Math.round(value * 4));
const interactions = {
  userIds: new IdMap(Array.from({ length: 30 }, (_, u) => `user-${u}`)),
  itemIds: new IdMap(Array.from({ length: 20 }, (_, i) => (i % 5 === 0 ? `曲${i}` : `item-${i}`))),
  userItems,
};

function sections(path: string): ModelHeader['sections'] {
  const bytes = readFileSync(path);
  return (JSON.parse(bytes.subarray(24, 24 + bytes.readUInt32LE(16)).toString('utf8')) as ModelHeader).sections;
}

/** Copies the model file at `path` with one byte of the training values flipped. */
function damageValues(path: string, name: string): string {
  const bytes = Buffer.from(readFileSync(path));
  const entry = sections(path).find((section) => section.name === 'userItemsData')!;
  bytes[entry.offset + (entry.byteLength >> 1)] ^= 0x40;
  const damagedPath = join(folder, name);
  writeFileSync(damagedPath, bytes);
  return damagedPath;
}

function expectChecksumError(error: unknown, path: string): void {
  expect(error).toBeInstanceOf(InputError);
  expect((error as InputError).message).toBe(`${path}: section userItemsData: checksum mismatch (xxh64); the file is damaged or was not written by osusume; save the model again`);
}

describe('deferred training values', () => {
  let backend: Backend;
  let model: AlternatingLeastSquares;
  let path: string;

  beforeAll(async () => {
    backend = await createCpuBackend({ threads: 1 });
    model = new AlternatingLeastSquares({ factors: 5, iterations: 4, seed: 5, backend });
    await model.fit(interactions);
    path = join(folder, 'model.osm');
    await model.save(path);
  });

  afterAll(async () => {
    await model.dispose();
    await backend.dispose();
  });

  it('gives identical recommendations, explanations and fold-ins', async () => {
    const loaded = await AlternatingLeastSquares.load(path, { backend });
    for (const user of ['user-0', 'user-7', 'user-29']) {
      expect(await loaded.recommend(user, { n: 4 })).toEqual(await model.recommend(user, { n: 4 }));
      expect(await loaded.recommend(user, { n: 4, recalculateUser: true })).toEqual(await model.recommend(user, { n: 4, recalculateUser: true }));
      expect(loaded.explain(user, '曲10', { n: 3 })).toEqual(model.explain(user, '曲10', { n: 3 }));
    }
    await loaded.dispose();
  });

  it('saves a loaded model with identical sections', async () => {
    const loaded = await AlternatingLeastSquares.load(path, { backend });
    const copyPath = join(folder, 'copy.osm');
    await loaded.save(copyPath);
    await loaded.dispose();
    const strip = (entries: ModelHeader['sections']) => entries.map(({ name, length, checksum }) => ({ name, length, checksum }));
    expect(strip(sections(copyPath))).toEqual(strip(sections(path)));
  });

  it('updates existing users of a loaded model as of the fitted one', async () => {
    const loaded = await AlternatingLeastSquares.load(path, { backend });
    const reference = await AlternatingLeastSquares.fromContents(await readModelFile(path), { backend });
    for (const target of [loaded, reference]) await target.partialFitUsers(['user-3', 'new-user'], [['item-1', ['曲5', 2]], ['item-2']]);
    expect(loaded.userItems?.data).toEqual(reference.userItems?.data);
    expect(await loaded.recommend('user-4', { n: 5 })).toEqual(await reference.recommend('user-4', { n: 5 }));
    await loaded.dispose();
    await reference.dispose();
  });

  it('rejects the first read of damaged values', async () => {
    const damagedPath = damageValues(path, 'damaged-row.osm');
    const loaded = await AlternatingLeastSquares.load(damagedPath, { backend });
    // Filtering needs the structure only, so recommendations still work.
    expect(await loaded.recommend('user-1', { n: 3 })).toEqual(await model.recommend('user-1', { n: 3 }));
    // explain reads one row, after checking the whole section.
    expectChecksumError(await Promise.resolve().then(() => loaded.explain('user-1', 'item-2')).catch((caught: unknown) => caught), damagedPath);
    expectChecksumError(await loaded.save(join(folder, 'never.osm')).catch((caught: unknown) => caught), damagedPath);
    await loaded.dispose();
  });

  it('rejects damaged values read in full', async () => {
    const damagedPath = damageValues(path, 'damaged-all.osm');
    const contents = await readModelFile(damagedPath, { deferValues: true });
    let caught: unknown;
    try {
      void contents.userItems.data;
    } catch (error) {
      caught = error;
    }
    expectChecksumError(caught, damagedPath);
    await contents.close?.();
  });

  it('still checks every section when values are not deferred', async () => {
    const damagedPath = damageValues(path, 'damaged-eager.osm');
    expectChecksumError(await readModelFile(damagedPath).catch((caught: unknown) => caught), damagedPath);
  });

  it('reads the loaded file after another file replaces it at the same path', async () => {
    const replacedPath = join(folder, 'replaced.osm');
    await model.save(replacedPath);
    const loaded = await AlternatingLeastSquares.load(replacedPath, { backend });
    const other = new AlternatingLeastSquares({ factors: 5, iterations: 2, seed: 9, backend });
    await other.fit({ ...interactions, userItems: userItems.mapData((value) => value * 3) });
    await other.save(replacedPath);
    await other.dispose();
    expect(loaded.explain('user-2', 'item-4')).toEqual(model.explain('user-2', 'item-4'));
    expect(loaded.userItems?.data).toEqual(userItems.data);
    await loaded.dispose();
  });

  it('refuses to read values after the file is written in place', async () => {
    const inPlacePath = join(folder, 'in-place.osm');
    await model.save(inPlacePath);
    const loaded = await AlternatingLeastSquares.load(inPlacePath, { backend });
    expect(loaded.explain('user-2', 'item-4')).toEqual(model.explain('user-2', 'item-4'));
    // Same length, other bytes, same inode: what cp or an editor does to an existing file.
    const bytes = readFileSync(inPlacePath);
    writeFileSync(inPlacePath, Buffer.concat([bytes.subarray(0, bytes.length - 64), Buffer.alloc(64, 7)]));
    expect(() => loaded.explain('user-2', 'item-4')).toThrow(
      `${inPlacePath}: section userItemsData: the file was changed in place after the model was loaded (size ${bytes.length} -> ${bytes.length} bytes); load the model again; to replace a served model file, write a new file and rename it over the old one`,
    );
    await loaded.dispose();
  });

  it('refuses to read values after an in-place write that kept the modification time', async () => {
    const keptTimePath = join(folder, 'kept-time.osm');
    await model.save(keptTimePath);
    const loaded = await AlternatingLeastSquares.load(keptTimePath, { backend });
    expect(loaded.explain('user-2', 'item-4')).toEqual(model.explain('user-2', 'item-4'));
    // touch -r copies the times to the nanosecond, which Node's utimes cannot; cp -p does the same.
    const timesPath = join(folder, 'kept-time.times');
    writeFileSync(timesPath, '');
    execFileSync('touch', ['-r', keptTimePath, timesPath]);
    const before = statSync(keptTimePath);
    const bytes = readFileSync(keptTimePath);
    writeFileSync(keptTimePath, Buffer.concat([bytes.subarray(0, bytes.length - 64), Buffer.alloc(64, 7)]));
    execFileSync('touch', ['-r', timesPath, keptTimePath]);
    expect(statSync(keptTimePath).mtimeMs).toBe(before.mtimeMs);
    expect(() => loaded.explain('user-2', 'item-4')).toThrow('the file was changed in place after the model was loaded');
    await loaded.dispose();
  });

  it('closes the file on dispose', async () => {
    const loaded = await AlternatingLeastSquares.load(path, { backend });
    const matrix = loaded.userItems as CsrMatrix;
    await loaded.dispose();
    expect(() => matrix.row(0).data).toThrow(`${path}: section userItemsData: read after the file was closed`);
    expect(() => matrix.data).toThrow(InputError);
  });

  it('closes the file when readModelFile is asked to', async () => {
    const contents = await readModelFile(path, { deferValues: true });
    await contents.close?.();
    await contents.close?.();
    expect(() => contents.userItems.data).toThrow('read after the file was closed');
  });

  it('reads nothing while only the structure of a row is used', () => {
    const calls: string[] = [];
    const values = Float32Array.of(1, 2, 3);
    const matrix = CsrMatrix.withDeferredValues(
      { indptr: Uint32Array.of(0, 2, 3), indices: Uint32Array.of(0, 2, 1), shape: [2, 3] },
      {
        readAll: () => (calls.push('all'), values),
        readRange: (start, end) => (calls.push(`range ${start}-${end}`), values.slice(start, end)),
      },
    );
    expect(Array.from(matrix.row(0).indices)).toEqual([0, 2]);
    expect(calls).toEqual([]);
    expect(Array.from(matrix.row(1).data)).toEqual([3]);
    expect(calls).toEqual(['range 2-3']);
    expect(matrix.get(0, 2)).toBe(2);
    expect(Array.from(matrix.data)).toEqual([1, 2, 3]);
    expect(Array.from(matrix.row(0).data)).toEqual([1, 2]);
    expect(calls).toEqual(['range 2-3', 'all']);
  });
});
