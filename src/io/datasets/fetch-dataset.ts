// fetchDataset: download a catalogue data set, verify it, extract its ratings file, parse it and
// convert it once to a binary CSR cache that later calls load in well under a second.

import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Interactions } from '../../csr/interactions.js';
import { InputError } from '../../errors.js';
import { datasetCatalogue, findDataset } from '../catalogue.js';
import { loadInteractions } from '../index.js';
import { csrCachePath, defaultCacheDir, downloadsDir } from './cache-dir.js';
import type { CacheSource } from './csr-cache-format.js';
import { readCsrCache } from './csr-cache-reader.js';
import { writeCsrCache } from './csr-cache-writer.js';
import { downloadFile, type DownloadResult } from './download.js';
import { archiveKindOf, extractMember } from './extract.js';
import { type FetchableEntry, type FetchDatasetOptions, type FetchPhase, parseEntry, parseFetchOptions, type ParsedFetchOptions } from './fetch-options.js';
import { type Verification, verifyFile } from './verify.js';

/** The outcome of fetchDataset. */
export interface FetchedDataset {
  name: string;
  /** Path of the binary CSR cache. */
  cachePath: string;
  interactions: Interactions;
  /** True when an existing cache was loaded and nothing was downloaded. */
  fromCache: boolean;
  /** Provenance recorded in the cache: origin URL, archive member, verification method, creation time. */
  source: CacheSource;
  /** The archive check; set when this call downloaded or reused an archive, not when it loaded the cache. */
  verification?: Verification;
  /** The check of the ratings file inside the archive; set when the catalogue lists its MD5. */
  memberVerification?: Verification;
  /** Only set when this call downloaded the archive, not when it loaded the cache or reused a kept archive. */
  download?: DownloadResult;
  elapsedMs: number;
}

/**
 * Returns the interactions of a catalogue data set (see datasetCatalogue: lastfm-360k, ml-100k,
 * ml-1m, ml-20m, ml-25m), from the cache in `cacheDir` when present. Otherwise downloads the archive
 * to `<cacheDir>/downloads` (resuming a partial download with an HTTP Range request), checks its size
 * and checksum, extracts the ratings file, parses it with loadInteractions and writes
 * `<cacheDir>/<name>.csr.bin` atomically.
 *
 * Throws InputError with code `unknown_dataset`, `invalid_option`, `download_failed` (the partial file
 * is kept for the next call), `checksum_mismatch` (the download is deleted, no cache is written),
 * `invalid_archive`, `invalid_file` or `invalid_cache`. An aborted `signal` rejects with its reason.
 *
 * @example
 * const { interactions, cachePath } = await fetchDataset('ml-100k', { onProgress: (p) => draw(p) });
 */
export async function fetchDataset(dataset: string | FetchableEntry, options: FetchDatasetOptions = {}): Promise<FetchedDataset> {
  const started = performance.now();
  const parsed = parseFetchOptions(options, 'fetchDataset');
  const entry = resolveEntry(dataset);
  const cacheDir = parsed.cacheDir ?? defaultCacheDir();
  const cachePath = csrCachePath(cacheDir, entry.name);

  if (!parsed.refresh) {
    const cached = await readCsrCache(cachePath, { verifyChecksums: parsed.verifyChecksums }).catch((error: unknown) => {
      if (error instanceof InputError && error.code === 'invalid_file' && error.details.received === 'ENOENT') return undefined;
      throw error;
    });
    if (cached !== undefined) {
      const elapsedMs = performance.now() - started;
      return { name: entry.name, cachePath, interactions: cached.interactions, fromCache: true, source: cached.header.source, elapsedMs };
    }
  }

  const built = await buildCache(entry, cacheDir, cachePath, parsed);
  return { ...built, name: entry.name, cachePath, fromCache: false, elapsedMs: performance.now() - started };
}

/** Returns the catalogue entry for a name, or validates a caller's entry. */
export function resolveEntry(dataset: string | FetchableEntry): FetchableEntry {
  if (typeof dataset !== 'string') return parseEntry(dataset);
  const entry = findDataset(dataset);
  if (entry === undefined) {
    const names = datasetCatalogue.map((item) => item.name).join(', ');
    throw new InputError('unknown_dataset', `unknown data set ${JSON.stringify(dataset)}; expected one of ${names}`, { where: 'dataset', received: dataset, expected: names });
  }
  return entry;
}

/** Returns the URL to download: the catalogue's, or the same file name under `baseUrl`. */
export function archiveUrl(entry: FetchableEntry, baseUrl: string | undefined): string {
  if (baseUrl === undefined) return entry.archive.url;
  const fileName = basename(new URL(entry.archive.url).pathname);
  return new URL(fileName, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`).toString();
}

type BuiltCache = Pick<FetchedDataset, 'interactions' | 'source' | 'verification' | 'memberVerification' | 'download'>;

async function buildCache(entry: FetchableEntry, cacheDir: string, cachePath: string, options: ParsedFetchOptions): Promise<BuiltCache> {
  const report = (phase: FetchPhase, bytesDone = 0, bytesTotal: number | undefined = undefined) => options.onProgress?.({ phase, bytesDone, bytesTotal });
  const url = archiveUrl(entry, options.baseUrl);
  const kind = archiveKindOf(new URL(url).pathname);
  if (kind === undefined) {
    throw new InputError('invalid_archive', `${url}: cannot tell the archive kind from the file name; expected a name ending in .zip, .tar.gz or .tgz`, { where: url });
  }

  // Download and check the archive. A mismatch deletes it, so the next fetch downloads it afresh.
  await mkdir(downloadsDir(cacheDir), { recursive: true });
  const archivePath = join(downloadsDir(cacheDir), basename(new URL(url).pathname));
  // An archive kept by an earlier fetch (keepArchive) is reused unless refresh requests a new download.
  if (options.refresh) await rm(archivePath, { force: true });
  const download = (await fileExists(archivePath))
    ? undefined
    : await downloadFile(url, archivePath, {
        signal: options.signal,
        retries: options.retries,
        retryDelayMs: options.retryDelayMs,
        onProgress: (progress) => report('download', progress.bytesDone, progress.bytesTotal),
      });
  const { archive } = entry;
  const verification = await verifyFile(archivePath, { ...archive, source: archive.checksumSource }, (done, total) => report('verify', done, total)).catch(async (error: unknown) => {
    await rm(archivePath, { force: true });
    if (!(error instanceof InputError)) throw error;
    throw new InputError(error.code, `${error.message}; the download was deleted, so the next fetch starts it again`, error.details, { cause: error });
  });

  options.signal?.throwIfAborted();
  const extractDir = await mkdtemp(join(cacheDir, `extract-${entry.name}-`));
  try {
    report('extract');
    const memberPath = await extractMember(archivePath, kind, entry.interactionsFile, extractDir);
    const memberVerification = await verifyMember(entry, memberPath, archivePath, verification, report);

    options.signal?.throwIfAborted();
    report('load');
    // NOTE: only ml-100k's real u.data has been parsed in tests. The other real ratings files were
    // never downloaded here, so a line the loader rejects would only show up on a real fetch.
    const interactions = await loadInteractions(memberPath, { format: entry.format, invalidLines: options.invalidLines });
    options.signal?.throwIfAborted();
    report('write-cache');
    const source: CacheSource = {
      dataset: entry.name,
      origin: url,
      member: entry.interactionsFile,
      verification: verification.method,
      createdAt: new Date().toISOString(),
    };
    await writeCsrCache(cachePath, interactions, source);
    if (!options.keepArchive) await rm(archivePath, { force: true });
    return { interactions, source, verification, memberVerification, download };
  } finally {
    await rm(extractDir, { recursive: true, force: true });
  }
}

/**
 * Checks the extracted ratings file against the catalogue's MD5 when it lists one. On a mismatch the
 * archive is deleted too unless its own digest matched, in which case the catalogue value is suspect
 * and a new download would not help.
 */
async function verifyMember(
  entry: FetchableEntry,
  memberPath: string,
  archivePath: string,
  archiveVerification: Verification,
  report: (phase: FetchPhase, bytesDone?: number, bytesTotal?: number) => void,
): Promise<Verification | undefined> {
  if (entry.interactionsFileMd5 === undefined) return undefined;
  try {
    return await verifyFile(memberPath, { md5: entry.interactionsFileMd5, source: `the catalogue entry ${entry.name}, interactionsFileMd5` }, (done, total) => report('extract-verify', done, total));
  } catch (error) {
    if (archiveVerification.method !== 'sha256' && archiveVerification.method !== 'md5') await rm(archivePath, { force: true });
    throw error;
  }
}

async function fileExists(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isFile(),
    () => false,
  );
}
