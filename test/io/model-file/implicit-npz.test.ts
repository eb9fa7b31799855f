// Interchange with the Python library implicit through the .npz that its ALS save() writes.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { AlternatingLeastSquares } from '../../../src/als/index.js';
import type { Backend } from '../../../src/backends/backend.js';
import { createCpuBackend } from '../../../src/backends/cpu/index.js';
import { IdMap } from '../../../src/csr/id-map.js';
import { InputError } from '../../../src/errors.js';
import { readNpz } from '../../../src/io/npz/index.js';
import { randomFactors, randomSparse } from '../../helpers/small-matrices.js';

const folder = mkdtempSync(join(tmpdir(), 'osusume-npz-test-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Builds .npy bytes by hand, the way NumPy 1.x lays them out: magic, version 1.0, padded dict header, data. */
function npy(descr: string, shape: string, data: Uint8Array, fortranOrder = false): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': ${fortranOrder ? 'True' : 'False'}, 'shape': ${shape}, }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const preamble = Buffer.from([0x93, ...Buffer.from('NUMPY'), 1, 0, header.length & 0xff, header.length >> 8]);
  return Buffer.concat([preamble, Buffer.from(header, 'latin1'), data]);
}

const bytesOf = (array: ArrayBufferView) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
const utf32 = (text: string, width: number) => {
  const out = new Uint32Array(width);
  [...text].forEach((character, k) => (out[k] = character.codePointAt(0) as number));
  return bytesOf(out);
};

/** Writes members to a zip the way np.savez does (stored, zip64 extra fields), or deflated like savez_compressed. */
async function writeZip(path: string, members: Array<[string, Buffer]>, compress = false): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const [name, bytes] of members) zip.addBuffer(bytes, `${name}.npy`, { compress, forceZip64Format: true });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  await writeFile(path, Buffer.concat(chunks));
}

const nUsers = 5;
const nItems = 4;
const factors = 3;
const userFactors = randomFactors(nUsers, factors, 1);
const itemFactors = randomFactors(nItems, factors, 2);

/** Returns the members that implicit 0.7's AlternatingLeastSquares.save() writes for a float32 model with use_cg=False. */
function implicitMembers(): Array<[string, Buffer]> {
  return [
    ['user_factors', npy('<f4', `(${nUsers}, ${factors})`, bytesOf(userFactors))],
    ['item_factors', npy('<f4', `(${nItems}, ${factors})`, bytesOf(itemFactors))],
    ['regularization', npy('<f8', '()', bytesOf(Float64Array.of(0.05)))],
    ['factors', npy('<i8', '()', bytesOf(BigInt64Array.of(3n)))],
    ['num_threads', npy('<i8', '()', bytesOf(BigInt64Array.of(0n)))],
    ['iterations', npy('<i8', '()', bytesOf(BigInt64Array.of(20n)))],
    ['use_native', npy('|b1', '()', Uint8Array.of(1))],
    ['use_cg', npy('|b1', '()', Uint8Array.of(0))],
    ['cg_steps', npy('<i8', '()', bytesOf(BigInt64Array.of(3n)))],
    ['calculate_training_loss', npy('|b1', '()', Uint8Array.of(0))],
    ['dtype', npy('<U7', '()', utf32('float32', 7))],
    ['random_state', npy('<i8', '()', bytesOf(BigInt64Array.of(42n)))],
    ['alpha', npy('<f8', '()', bytesOf(Float64Array.of(2)))],
  ];
}

describe('implicit npz', () => {
  let backend: Backend;

  beforeAll(async () => {
    backend = await createCpuBackend({ threads: 1 });
  });

  afterAll(async () => {
    await backend.dispose();
  });

  it('imports factors and parameters', async () => {
    const path = join(folder, 'implicit.npz');
    await writeZip(path, implicitMembers());
    const model = await AlternatingLeastSquares.loadImplicit(path, { backend });
    expect(model.userFactors).toEqual(userFactors);
    expect(model.itemFactors).toEqual(itemFactors);
    expect(model.userIds.toArray()).toEqual(['0', '1', '2', '3', '4']);
    expect(model.options).toMatchObject({ factors: 3, regularization: 0.05, alpha: 2, iterations: 20, solver: 'cholesky', cgSteps: 3, seed: 42 });
    const top = await model.recommend('2', { n: 1 });
    const scores = Array.from({ length: nItems }, (_, i) => [0, 1, 2].reduce((sum, f) => sum + userFactors[2 * factors + f] * itemFactors[i * factors + f], 0));
    expect(top[0].itemId).toBe(String(scores.indexOf(Math.max(...scores))));
    await model.dispose();
  });

  it('converts float64, Fortran-ordered, compressed factors', async () => {
    const path = join(folder, 'fortran.npz');
    // Column-major float64 copy of userFactors: element (r, c) at c * nUsers + r.
    const columnMajor = new Float64Array(nUsers * factors);
    for (let r = 0; r < nUsers; r++) for (let c = 0; c < factors; c++) columnMajor[c * nUsers + r] = userFactors[r * factors + c];
    const members = implicitMembers();
    members[0] = ['user_factors', npy('<f8', `(${nUsers}, ${factors})`, bytesOf(columnMajor), true)];
    await writeZip(path, members, true);
    const model = await AlternatingLeastSquares.loadImplicit(path, { backend });
    expect(model.userFactors).toEqual(userFactors);
    await model.dispose();
  });

  it('rejects a file without item_factors', async () => {
    const path = join(folder, 'partial.npz');
    await writeZip(path, implicitMembers().filter(([name]) => name !== 'item_factors'));
    const error = await AlternatingLeastSquares.loadImplicit(path, { backend }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe(`${path}: member item_factors.npy is missing; pass an .npz written by implicit's AlternatingLeastSquares.save()`);
  });

  it('rejects a file that is not a zip', async () => {
    const path = join(folder, 'text.npz');
    await writeFile(path, 'not a zip');
    const error = await AlternatingLeastSquares.loadImplicit(path, { backend }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toContain(`${path}: cannot read the .npz (zip) file`);
  });

  it('round-trips a fitted model with its ids', async () => {
    const interactions = {
      userIds: new IdMap(Array.from({ length: 30 }, (_, u) => `u${u}`)),
      itemIds: new IdMap(Array.from({ length: 20 }, (_, i) => `アイテム${i}`)),
      userItems: randomSparse(30, 20, 0.25, 3),
    };
    const model = new AlternatingLeastSquares({ factors: 4, iterations: 2, seed: 5, backend });
    await model.fit(interactions);
    const path = join(folder, 'exported.npz');
    await model.saveImplicit(path);

    const imported = await AlternatingLeastSquares.loadImplicit(path, { backend });
    expect(imported.userIds.toArray()).toEqual(model.userIds.toArray());
    expect(imported.itemIds.toArray()).toEqual(model.itemIds.toArray());
    const unfiltered = { n: 5, filterAlreadyLiked: false };
    expect(await imported.recommend('u3', unfiltered)).toEqual(await model.recommend('u3', unfiltered));
    expect(imported.options).toMatchObject({ factors: 4, regularization: 0.01, alpha: 1, iterations: 2, solver: 'cg', seed: 5 });
    await imported.dispose();
    await model.dispose();
  });

  it('refuses ids with U+0000 and writes no file', async () => {
    const model = await AlternatingLeastSquares.fromContents(
      {
        options: { factors, regularization: 0.1, alpha: 1, iterations: 1, solver: 'cg', cgSteps: 3, calculateTrainingLoss: false },
        userFactors,
        itemFactors,
        userItems: randomSparse(nUsers, nItems, 0, 1),
        userIds: new IdMap(['a', 'b', 'trail\u0000', 'd', 'e']),
        itemIds: new IdMap(['w', 'x', 'y', 'z']),
        training: { losses: [], source: 'test' },
      },
      { backend },
    );
    const path = join(folder, 'nul-ids.npz');
    const error = await model.saveImplicit(path).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe(
      `${path}: cannot save user id "trail\\u0000" (index 2) for implicit: invalid id, it contains U+0000, which NumPy strings drop; save to an osusume model file instead, or pass includeIds: false`,
    );
    expect(existsSync(path)).toBe(false);
    await model.dispose();
  });

  it('writes the member names and layout implicit reads', async () => {
    const model = await AlternatingLeastSquares.fromContents(
      {
        options: { factors, regularization: 0.1, alpha: 1, iterations: 1, solver: 'cg', cgSteps: 3, calculateTrainingLoss: false },
        userFactors,
        itemFactors,
        userItems: randomSparse(nUsers, nItems, 0, 1),
        userIds: new IdMap(['a', 'b', 'c', 'd', 'e']),
        itemIds: new IdMap(['w', 'x', 'y', 'z']),
        training: { losses: [], source: 'test' },
      },
      { backend },
    );
    const path = join(folder, 'layout.npz');
    await model.saveImplicit(path, { includeIds: false });
    const arrays = await readNpz(path);
    expect([...arrays.keys()]).toEqual([
      'user_factors',
      'item_factors',
      'regularization',
      'factors',
      'num_threads',
      'iterations',
      'use_native',
      'use_cg',
      'cg_steps',
      'calculate_training_loss',
      'dtype',
      'alpha',
    ]);
    expect(arrays.get('user_factors')).toEqual({ descr: '<f4', shape: [nUsers, factors], data: userFactors });
    expect(arrays.get('dtype')).toEqual({ descr: '<U7', shape: [], data: ['float32'] });
    await model.dispose();
  });
});
