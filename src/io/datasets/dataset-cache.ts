// Cached data sets: which catalogue entries have a CSR cache, and loading one without downloading.

import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Interactions } from '../../csr/interactions.js';
import { InputError } from '../../errors.js';
import { datasetCatalogue, type DatasetEntry } from '../catalogue.js';
import { csrCachePath, defaultCacheDir, downloadsDir } from './cache-dir.js';
import { readCsrCache } from './csr-cache-reader.js';
import { resolveEntry } from './fetch-dataset.js';

/** A catalogue entry with the state of its files in the cache folder. */
export interface DatasetStatus {
  entry: DatasetEntry;
  cachePath: string;
  /** Size of the CSR cache in bytes; undefined when there is none. */
  cacheBytes: number | undefined;
  /** Bytes of an interrupted download waiting to be resumed; undefined when there is none. */
  partialDownloadBytes: number | undefined;
}

/** Lists every catalogue entry with its cache state in `cacheDir` (default defaultCacheDir()). */
export async function listDatasets(options: { cacheDir?: string } = {}): Promise<DatasetStatus[]> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  return Promise.all(
    datasetCatalogue.map(async (entry) => {
      const cachePath = csrCachePath(cacheDir, entry.name);
      const archiveName = new URL(entry.archive.url).pathname.split('/').pop() ?? entry.name;
      return {
        entry,
        cachePath,
        cacheBytes: await fileSize(cachePath),
        partialDownloadBytes: await fileSize(join(downloadsDir(cacheDir), `${archiveName}.part`)),
      };
    }),
  );
}

/**
 * Loads the CSR cache of a fetched data set, without any network access. Throws InputError
 * `dataset_not_cached` when there is no cache yet (fetchDataset writes it) and `invalid_cache` when
 * the file is truncated or corrupted.
 *
 * @example
 * const { userItems, userIds } = await loadDatasetCache('lastfm-360k');
 */
export async function loadDatasetCache(name: string, options: { cacheDir?: string; verifyChecksums?: boolean } = {}): Promise<Interactions> {
  const entry = resolveEntry(name);
  const cachePath = csrCachePath(options.cacheDir ?? defaultCacheDir(), entry.name);
  if ((await fileSize(cachePath)) === undefined) {
    throw new InputError('dataset_not_cached', `data set ${name} is not cached at ${cachePath}; fetch it first with fetchDataset('${name}') or \`osusume datasets fetch ${name}\``, {
      where: cachePath,
    });
  }
  const { interactions } = await readCsrCache(cachePath, { verifyChecksums: options.verifyChecksums });
  return interactions;
}

async function fileSize(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : undefined;
  } catch {
    return undefined;
  }
}
