import { readFile, rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchDataset, loadDatasetCache } from '../../../src/io/datasets/index.js';
import { requireDataset } from '../../helpers/datasets.js';
import { type ArchiveServer, startArchiveServer } from './archive-server.js';
import { entryFor, makeTempDir, makeZip } from './fixtures.js';

// The real MovieLens 100K ratings, zipped here in ml-100k.zip's layout and served from loopback.
const uData = requireDataset('ml-100k/u.data');

describe.skipIf(uData === undefined)('fetchDataset on the real ml-100k u.data', () => {
  let cacheDir: string;
  let server: ArchiveServer;
  let zip: Buffer;
  beforeAll(async () => {
    cacheDir = await makeTempDir('real-ml-100k');
    zip = await makeZip({ 'ml-100k/u.data': await readFile(uData as string) });
    server = await startArchiveServer({ '/ml-100k.zip': zip });
  });
  afterAll(async () => {
    await server.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('caches 943 users x 1682 items with 100000 ratings', async () => {
    const fetched = await fetchDataset(entryFor('ml-100k', `${server.url}ml-100k.zip`, zip), { cacheDir });
    expect(fetched.interactions.userItems.shape).toEqual([943, 1682]);
    expect(fetched.interactions.userItems.nnz).toBe(100_000);
    expect(fetched.interactions.stats.rows).toBe(100_000);

    const cached = await loadDatasetCache('ml-100k', { cacheDir });
    expect(Array.from(cached.userItems.data)).toEqual(Array.from(fetched.interactions.userItems.data));
    let total = 0;
    for (const rating of cached.userItems.data) total += rating;
    // Rating counts from the data set's README: 1: 6,110; 2: 11,370; 3: 27,145; 4: 34,174; 5: 21,201.
    expect(total).toBe(6110 + 2 * 11370 + 3 * 27145 + 4 * 34174 + 5 * 21201);
  });
});
