import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { loadInteractions } from '../../../src/io/index.js';
import { csrCachePath, fetchDataset, type FetchProgress } from '../../../src/io/datasets/index.js';
import { archiveUrl } from '../../../src/io/datasets/fetch-dataset.js';
import { type ArchiveServer, startArchiveServer } from './archive-server.js';
import { entryFor, expectSameInteractions, LASTFM_LINES, LASTFM_MEMBER, makeTarGz, makeTempDir, makeZip, md5, ML_100K_LINES } from './fixtures.js';

let cacheDir: string;
let server: ArchiveServer;
let zip: Buffer;
let tarGz: Buffer;

beforeEach(async () => {
  cacheDir = await makeTempDir('fetch');
  // Each archive is a few hundred bytes, long enough to cut a download at byte 100 and again at 200.
  zip = await makeZip({ 'ml-100k/README': 'tiny test copy\n', 'ml-100k/u.data': `${ML_100K_LINES}\n` });
  tarGz = await makeTarGz({ 'lastfm-dataset-360K/README.txt': 'tiny test copy\n', [LASTFM_MEMBER]: `${LASTFM_LINES}\n` });
  server = await startArchiveServer({ '/ml-100k.zip': zip, '/lastfm-dataset-360K.tar.gz': tarGz });
});

afterEach(async () => {
  await server.close();
  await rm(cacheDir, { recursive: true, force: true });
});

/** Loads `text` with loadInteractions from a file named `name`, the reference for a fetched set. */
async function loadReference(name: string, text: string, format: 'movielens' | 'lastfm360k') {
  const path = join(cacheDir, 'reference', name);
  await mkdir(join(cacheDir, 'reference'), { recursive: true });
  await writeFile(path, text);
  const reference = await loadInteractions(path, { format });
  await rm(join(cacheDir, 'reference'), { recursive: true });
  return reference;
}

async function rejection(promise: Promise<unknown>): Promise<InputError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('fetchDataset', () => {
  it('fetches, verifies, extracts and caches ml-100k', async () => {
    const events: FetchProgress[] = [];
    const entry = entryFor('ml-100k', `${server.url}ml-100k.zip`, zip);
    const fetched = await fetchDataset(entry, { cacheDir, onProgress: (event) => events.push(event) });

    expect(fetched.fromCache).toBe(false);
    expect(fetched.verification?.method).toBe('md5');
    expect(fetched.cachePath).toBe(csrCachePath(cacheDir, 'ml-100k'));
    expect(fetched.interactions.userItems.shape).toEqual([4, 5]);
    expect(fetched.interactions.userItems.get(fetched.interactions.userIds.indexOf('3'), fetched.interactions.itemIds.indexOf('10', 'item'))).toBe(5);
    expectSameInteractions(fetched.interactions, await loadReference('u.data', ML_100K_LINES, 'movielens'));

    const downloads = events.filter((event) => event.phase === 'download');
    expect(downloads.at(-1)).toEqual({ phase: 'download', bytesDone: zip.length, bytesTotal: zip.length });
    expect(new Set(events.map((event) => event.phase))).toEqual(new Set(['download', 'verify', 'extract', 'load', 'write-cache']));
    // Only the cache is left: no archive, no .part, no extraction folder.
    expect(await readdir(cacheDir)).toEqual(['downloads', 'ml-100k.csr.bin']);
    expect(await readdir(join(cacheDir, 'downloads'))).toEqual([]);
  });

  it('reloads from the cache without a request', async () => {
    const entry = entryFor('ml-100k', `${server.url}ml-100k.zip`, zip);
    const first = await fetchDataset(entry, { cacheDir });
    const second = await fetchDataset(entry, { cacheDir });
    expect(second.fromCache).toBe(true);
    expect(second.source.verification).toBe('md5');
    expectSameInteractions(second.interactions, first.interactions);
    expect(server.requests).toHaveLength(1);

    await fetchDataset(entry, { cacheDir, refresh: true });
    expect(server.requests).toHaveLength(2);
  });

  it('fetches the Last.fm 360K layout from a tar.gz', async () => {
    const entry = { ...entryFor('lastfm-360k', `${server.url}lastfm-dataset-360K.tar.gz`, tarGz), interactionsFileMd5: md5(`${LASTFM_LINES}\n`) };
    const fetched = await fetchDataset(entry, { cacheDir, keepArchive: true });

    expect(fetched.memberVerification?.method).toBe('md5');
    expect(fetched.interactions.userItems.shape).toEqual([3, 3]);
    expect(fetched.interactions.itemNames).toEqual(['artist one', 'künstler zwei', 'artist three']);
    expectSameInteractions(fetched.interactions, await loadReference('usersha1-artmbid-artname-plays.tsv', LASTFM_LINES, 'lastfm360k'));
    expect(await readdir(join(cacheDir, 'downloads'))).toEqual(['lastfm-dataset-360K.tar.gz']);
  });

  it('reuses a kept archive unless refresh is set', async () => {
    const entry = entryFor('ml-100k', `${server.url}ml-100k.zip`, zip);
    await fetchDataset(entry, { cacheDir, keepArchive: true });
    await rm(csrCachePath(cacheDir, 'ml-100k'));

    const rebuilt = await fetchDataset(entry, { cacheDir, keepArchive: true });
    expect(rebuilt.download).toBeUndefined();
    expect(rebuilt.verification?.method).toBe('md5');
    expect(server.requests).toHaveLength(1);

    await fetchDataset(entry, { cacheDir, refresh: true });
    expect(server.requests).toHaveLength(2);
    expect(await readdir(join(cacheDir, 'downloads'))).toEqual([]);
  });

  it('uses baseUrl in place of the catalogue folder', async () => {
    // Port 9 (discard) on loopback is closed, so using the entry's own URL would fail.
    const entry = entryFor('ml-100k', 'http://127.0.0.1:9/datasets/movielens/ml-100k.zip', zip);
    expect(archiveUrl(entry, server.url)).toBe(`${server.url}ml-100k.zip`);
    const fetched = await fetchDataset(entry, { cacheDir, baseUrl: server.url.slice(0, -1) });
    expect(fetched.source.origin).toBe(`${server.url}ml-100k.zip`);
  });

  it('rejects an unknown name with the catalogue names', async () => {
    const error = await rejection(fetchDataset('ml-5m', { cacheDir }));
    expect(error.code).toBe('unknown_dataset');
    expect(error.message).toMatch(/unknown data set "ml-5m"; expected one of lastfm-360k, ml-100k, ml-1m, ml-20m, ml-25m/);
  });

  it('rejects invalid options by name', async () => {
    const error = await rejection(fetchDataset('ml-100k', { cacheDir, retries: -1, baseUrl: 'ftp://mirror' } as never));
    expect(error.code).toBe('invalid_option');
    expect(error.message).toMatch(/baseUrl/);
    expect(error.message).toMatch(/retries is -1/);
  });
});

describe('fetchDataset verification', () => {
  it('rejects an MD5 mismatch and leaves no cache or download', async () => {
    const entry = entryFor('ml-100k', `${server.url}ml-100k.zip`, zip, { md5: '0'.repeat(32) });
    const error = await rejection(fetchDataset(entry, { cacheDir }));
    expect(error.code).toBe('checksum_mismatch');
    expect(error.message).toContain(`the MD5 is ${md5(zip)} but ${'0'.repeat(32)} was expected`);
    expect(error.message).toContain('the download was deleted');
    expect(await readdir(cacheDir)).toEqual(['downloads']);
    expect(await readdir(join(cacheDir, 'downloads'))).toEqual([]);
  });

  it('checks the size alone when the MD5 is unverified', async () => {
    const entry = entryFor('ml-100k', `${server.url}ml-100k.zip`, zip, { md5: 'unverified' });
    expect((await fetchDataset(entry, { cacheDir })).verification?.method).toBe('size');

    const wrongSize = entryFor('ml-100k', `${server.url}ml-100k.zip`, zip, { md5: 'unverified', bytes: zip.length + 1 });
    const error = await rejection(fetchDataset(wrongSize, { cacheDir, refresh: true }));
    expect(error.message).toContain(`the size is ${zip.length} bytes but ${zip.length + 1} bytes was expected`);
    expect(await readdir(cacheDir)).toEqual(['downloads', 'ml-100k.csr.bin']);
  });

  it('reports no verification when nothing is known', async () => {
    const entry = entryFor('ml-100k', `${server.url}ml-100k.zip`, zip, { md5: 'unverified', bytes: 'unverified' });
    expect((await fetchDataset(entry, { cacheDir })).verification?.method).toBe('none');
  });

  it('rejects a ratings file whose MD5 differs from the catalogue', async () => {
    const entry = { ...entryFor('ml-100k', `${server.url}ml-100k.zip`, zip), interactionsFileMd5: 'f'.repeat(32) };
    const error = await rejection(fetchDataset(entry, { cacheDir }));
    expect(error.code).toBe('checksum_mismatch');
    expect(error.message).toMatch(/u\.data: the MD5 is [0-9a-f]{32} but f{32} was expected/);
    expect(await readdir(cacheDir)).toEqual(['downloads']);
  });

  it('names a missing archive member', async () => {
    const entry = { ...entryFor('ml-100k', `${server.url}ml-100k.zip`, zip), interactionsFile: 'ml-100k/ratings.csv' };
    const error = await rejection(fetchDataset(entry, { cacheDir }));
    expect(error.code).toBe('invalid_archive');
    expect(error.message).toMatch(/has no member ml-100k\/ratings\.csv among its 2 members/);
  });
});

/** Polls until `path` contains at least `bytes` bytes, for at most 10 s. */
async function waitForFileSize(path: string, bytes: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const size = await stat(path).then((stats) => stats.size, () => 0);
    if (size >= bytes) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('fetchDataset interrupted downloads', () => {
  const cut = 100;

  // Reset the connection only once the client has written the bytes it was sent, so the resume offsets
  // below do not depend on how fast a busy machine schedules the client.
  beforeEach(() => {
    server.beforeDrop = (bytes) => waitForFileSize(join(cacheDir, 'downloads', 'ml-100k.zip.part'), bytes);
  });

  it('resumes with a Range request on the next call', async () => {
    server.dropAfterBytes = cut;
    server.dropCount = 1;
    const entry = entryFor('ml-100k', `${server.url}ml-100k.zip`, zip);

    const error = await rejection(fetchDataset(entry, { cacheDir, retries: 0 }));
    expect(error.code).toBe('download_failed');
    expect(error.message).toMatch(new RegExp(`failed after ${cut} of ${zip.length} bytes: .*; run the fetch again to resume`));
    expect((await stat(join(cacheDir, 'downloads', 'ml-100k.zip.part'))).size).toBe(cut);
    expect(await readdir(cacheDir)).not.toContain('ml-100k.csr.bin');

    const fetched = await fetchDataset(entry, { cacheDir, retries: 0 });
    expect(server.requests.map((request) => request.range)).toEqual([undefined, `bytes=${cut}-`]);
    expect(server.requests[1].ifRange).toMatch(/^"\d+-[0-9a-f]+"$/);
    expect(fetched.download).toMatchObject({ resumedFromByte: cut, restarted: false, bytes: zip.length });
    expectSameInteractions(fetched.interactions, await loadReference('u.data', ML_100K_LINES, 'movielens'));
  });

  it('retries and resumes within one call', async () => {
    server.dropAfterBytes = cut;
    server.dropCount = 2;
    const entry = entryFor('ml-100k', `${server.url}ml-100k.zip`, zip);
    const fetched = await fetchDataset(entry, { cacheDir, retries: 2, retryDelayMs: 0 });
    expect(fetched.download?.attempts).toBe(3);
    expect(server.requests.map((request) => request.range)).toEqual([undefined, `bytes=${cut}-`, `bytes=${2 * cut}-`]);
    expect(fetched.verification?.method).toBe('md5');
  });

  it('starts over when the server ignores Range', async () => {
    server.supportsRange = false;
    server.dropAfterBytes = cut;
    server.dropCount = 1;
    const entry = entryFor('ml-100k', `${server.url}ml-100k.zip`, zip);
    await rejection(fetchDataset(entry, { cacheDir, retries: 0 }));

    const fetched = await fetchDataset(entry, { cacheDir, retries: 0 });
    expect(server.requests[1].range).toBe(`bytes=${cut}-`);
    expect(fetched.download).toMatchObject({ resumedFromByte: 0, restarted: true, bytes: zip.length });
    expect(fetched.verification?.method).toBe('md5');
  });

  it('starts over when the file changed on the server', async () => {
    server.dropAfterBytes = cut;
    server.dropCount = 1;
    const firstEntry = entryFor('ml-100k', `${server.url}ml-100k.zip`, zip);
    await rejection(fetchDataset(firstEntry, { cacheDir, retries: 0 }));

    // A new archive changes the ETag, so If-Range fails and the server sends the whole new file.
    const changed = await makeZip({ 'ml-100k/u.data': '1\t2\t3\t4\n' });
    server.files.set('/ml-100k.zip', changed);
    const fetched = await fetchDataset(entryFor('ml-100k', `${server.url}ml-100k.zip`, changed), { cacheDir, retries: 0 });
    expect(fetched.download).toMatchObject({ resumedFromByte: 0, restarted: true });
    expect(fetched.interactions.userItems.nnz).toBe(1);
  });

  it('accepts a complete .part answered with 416', async () => {
    const entry = entryFor('ml-100k', `${server.url}ml-100k.zip`, zip);
    await mkdir(join(cacheDir, 'downloads'), { recursive: true });
    const part = join(cacheDir, 'downloads', 'ml-100k.zip.part');
    await writeFile(part, zip);
    await writeFile(`${part}.json`, JSON.stringify({ url: entry.archive.url, bytes: zip.length, totalBytes: zip.length }));

    const fetched = await fetchDataset(entry, { cacheDir, retries: 0 });
    expect(server.requests.map((request) => request.range)).toEqual([`bytes=${zip.length}-`]);
    expect(fetched.download?.resumedFromByte).toBe(zip.length);
  });

  it('discards a .part without its sidecar', async () => {
    const entry = entryFor('ml-100k', `${server.url}ml-100k.zip`, zip);
    await mkdir(join(cacheDir, 'downloads'), { recursive: true });
    await writeFile(join(cacheDir, 'downloads', 'ml-100k.zip.part'), 'bytes of unknown origin');
    await fetchDataset(entry, { cacheDir, retries: 0 });
    expect(server.requests.map((request) => request.range)).toEqual([undefined]);
  });

  it('reports HTTP errors without retrying', async () => {
    const entry = entryFor('ml-100k', `${server.url}missing.zip`, zip);
    const error = await rejection(fetchDataset(entry, { cacheDir, retries: 3, retryDelayMs: 0 }));
    expect(error.message).toMatch(/missing\.zip failed: the server answered HTTP 404 Not Found/);
    expect(server.requests).toHaveLength(1);
  });

  it('keeps the partial file when aborted', async () => {
    server.dropAfterBytes = cut;
    server.dropCount = 1;
    const controller = new AbortController();
    const entry = entryFor('ml-100k', `${server.url}ml-100k.zip`, zip);
    const aborted = fetchDataset(entry, {
      cacheDir,
      retries: 3,
      retryDelayMs: 60_000,
      onProgress: (event) => {
        if (event.phase === 'download' && event.bytesDone === cut) setTimeout(() => controller.abort(new Error('stopped by test')), 10);
      },
      signal: controller.signal,
    });
    await expect(aborted).rejects.toThrow('stopped by test');
    expect((await readFile(join(cacheDir, 'downloads', 'ml-100k.zip.part'))).length).toBe(cut);
  });
});
