import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import h5wasm from 'h5wasm/node';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { registerDatasetsCommand } from '../../../src/cli/datasets-command.js';
import { CsrMatrix } from '../../../src/csr/csr-matrix.js';
import { IdMap } from '../../../src/csr/id-map.js';
import { emptyStats } from '../../../src/csr/interactions.js';
import { InputError } from '../../../src/errors.js';
import { csrCachePath, loadDatasetCache, writeCsrCache } from '../../../src/io/datasets/index.js';
import { startArchiveServer } from './archive-server.js';
import { makeTempDir, makeZip, ML_100K_LINES } from './fixtures.js';

let cacheDir: string;
let output: string[];

beforeEach(async () => {
  cacheDir = await makeTempDir('datasets-cli');
  output = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    output.push(String(chunk));
    return true;
  });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(cacheDir, { recursive: true, force: true });
});

/** Runs `osusume datasets ...args` through commander and returns what it wrote to stdout. */
async function run(...args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  registerDatasetsCommand(program);
  await program.parseAsync(['node', 'osusume', 'datasets', ...args]);
  return output.join('');
}

async function writeSmallCache(name: string): Promise<void> {
  const userItems = new CsrMatrix({ indptr: Uint32Array.of(0, 1, 2), indices: Uint32Array.of(0, 1), data: Float32Array.of(4, 5), shape: [2, 2] });
  await writeCsrCache(csrCachePath(cacheDir, name), { userIds: new IdMap(['1', '2']), itemIds: new IdMap(['7', '8']), userItems, stats: emptyStats() }, { dataset: name, origin: 'test', verification: 'md5' });
}

describe('osusume datasets list', () => {
  it('prints every catalogue entry with its cache state', async () => {
    await writeSmallCache('ml-1m');
    const text = await run('list', '--cache-dir', cacheDir);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^name\s+archive\s+check\s+format\s+cached\s+title$/);
    expect(lines.find((line) => line.startsWith('ml-1m '))).toMatch(/yes \(\d+(\.\d)? (B|KiB)\)/);
    expect(lines.find((line) => line.startsWith('ml-20m '))).toMatch(/189\.5 MiB\s+md5\s+movielens\s+no\s+MovieLens 20M/);
    expect(text).toContain(`cache folder: ${cacheDir}`);
  });

  it('prints JSON lines', async () => {
    const text = await run('list', '--cache-dir', cacheDir, '--json');
    const records = text.trim().split('\n').map((line) => JSON.parse(line) as { entry: { name: string } });
    expect(records.map((record) => record.entry.name)).toEqual(['lastfm-360k', 'ml-100k', 'ml-1m', 'ml-20m', 'ml-25m']);
  });
});

describe('osusume datasets fetch', () => {
  it('summarises a cached data set without downloading', async () => {
    await writeSmallCache('ml-100k');
    const text = await run('fetch', 'ml-100k', '--cache-dir', cacheDir, '--no-progress');
    expect(text).toContain('ml-100k: 2 users x 2 items, 2 interactions');
    expect(text).toContain(`cache: ${csrCachePath(cacheDir, 'ml-100k')}`);
    expect(text).toContain('checked: MD5 matches the catalogue');
    expect(text).toMatch(/time: \d+\.\d\d s/);
  });

  it('downloads from --base-url and checks the catalogue MD5', async () => {
    const server = await startArchiveServer({ '/ml-100k.zip': await makeZip({ 'ml-100k/u.data': ML_100K_LINES }) });
    try {
      const error = await run('fetch', 'ml-100k', '--cache-dir', cacheDir, '--base-url', server.url, '--no-progress', '--retries', '0').catch((caught: unknown) => caught);
      // The tiny archive is not the real ml-100k.zip, so the catalogue's MD5 must reject it.
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).code).toBe('checksum_mismatch');
      expect(server.requests.map((request) => request.path)).toEqual(['/ml-100k.zip']);
    } finally {
      await server.close();
    }
  });

  it('names a bad flag', async () => {
    const error = await run('fetch', 'ml-100k', '--cache-dir', cacheDir, '--retries', 'many').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(/--retries is "many"/);
  });
});

describe('osusume datasets import-hdf5', () => {
  it('converts an implicit HDF5 file into the cache', async () => {
    await h5wasm.ready;
    const path = join(cacheDir, 'lastfm_360k.hdf5');
    const file = new h5wasm.File(path, 'w');
    const group = file.create_group('artist_user_plays');
    group.create_dataset({ name: 'data', data: Float32Array.of(3, 4) });
    group.create_dataset({ name: 'indptr', data: Int32Array.of(0, 1, 2) });
    group.create_dataset({ name: 'indices', data: Int32Array.of(1, 0) });
    file.create_dataset({ name: 'artist', data: ['abba', 'blur'] });
    file.create_dataset({ name: 'user', data: ['u0', 'u1', 'u2'] });
    file.close();

    const text = await run('import-hdf5', path, '--cache-dir', cacheDir);
    expect(text).toContain('lastfm-360k: 3 users x 2 items, 2 interactions');
    const cached = await loadDatasetCache('lastfm-360k', { cacheDir });
    expect(cached.userItems.get(cached.userIds.indexOf('u1'), cached.itemIds.indexOf('abba', 'item'))).toBe(3);
    expect(cached.itemNames).toEqual(['abba', 'blur']);
  });
});
