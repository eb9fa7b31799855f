// Options of fetchDataset and the dataset cache functions, validated with zod.

import { z } from 'zod';
import type { DatasetEntry } from '../catalogue.js';
import { parseOrThrow } from '../../validate.js';

/** Steps of a fetch, in order; `download`, `verify` and `extract-verify` report byte counts. */
export type FetchPhase = 'download' | 'verify' | 'extract' | 'extract-verify' | 'load' | 'write-cache';

/** One progress report. `bytesTotal` is undefined when the size is not known in advance. */
export interface FetchProgress {
  phase: FetchPhase;
  bytesDone: number;
  bytesTotal: number | undefined;
}

export interface FetchDatasetOptions {
  /** Folder for downloads and caches. Default: defaultCacheDir() (OSUSUME_CACHE_DIR, XDG_CACHE_HOME or ~/.cache/osusume). */
  cacheDir?: string;
  /**
   * Folder URL that replaces the catalogue's download folder, so `<baseUrl>/<archive file name>` is
   * fetched instead. Meant for mirrors and tests.
   */
  baseUrl?: string;
  /** Download and convert again even when a cache exists. Default false. */
  refresh?: boolean;
  /** Keep the downloaded archive in `<cacheDir>/downloads` after the cache is written. Default false. */
  keepArchive?: boolean;
  /** Download attempts after the first on a dropped connection or HTTP 5xx, each resuming with Range. Default 3. */
  retries?: number;
  /** Wait before the first retry in milliseconds, doubled for each further one. Default 1000. */
  retryDelayMs?: number;
  /** Handling of invalid lines in the ratings file: 'error' (default) or 'skip', as in LoadOptions. */
  invalidLines?: 'error' | 'skip';
  /** Check the cache's CRC-32 section checksums when reading an existing cache. Default true. */
  verifyChecksums?: boolean;
  onProgress?: (progress: FetchProgress) => void;
  /** Aborts the download; the partial file is kept so the next fetch resumes. */
  signal?: AbortSignal;
}

const fetchOptionsSchema = z
  .object({
    cacheDir: z.string({ error: 'expected a folder path' }).min(1, { error: 'expected a non-empty folder path' }).optional(),
    baseUrl: z.url({ protocol: /^https?$/, error: 'expected an http or https URL' }).optional(),
    refresh: z.boolean({ error: 'expected true or false' }).default(false),
    keepArchive: z.boolean({ error: 'expected true or false' }).default(false),
    retries: z.number({ error: 'expected a number of retries' }).int({ error: 'expected a whole number' }).min(0, { error: 'expected 0 to 10 retries' }).max(10, { error: 'expected 0 to 10 retries' }).default(3),
    retryDelayMs: z.number({ error: 'expected milliseconds' }).int({ error: 'expected whole milliseconds' }).min(0, { error: 'expected 0 to 60000 ms' }).max(60_000, { error: 'expected 0 to 60000 ms' }).default(1000),
    invalidLines: z.enum(['error', 'skip'], { error: 'expected error or skip' }).default('error'),
    verifyChecksums: z.boolean({ error: 'expected true or false' }).default(true),
    onProgress: z.custom<(progress: FetchProgress) => void>((value) => typeof value === 'function', { error: 'expected a function' }).optional(),
    signal: z.instanceof(AbortSignal, { error: 'expected an AbortSignal' }).optional(),
  })
  .strict();

export type ParsedFetchOptions = z.output<typeof fetchOptionsSchema>;

/** Validates `options`; throws InputError `invalid_option` naming each bad option. */
export function parseFetchOptions(options: FetchDatasetOptions | undefined, caller: string): ParsedFetchOptions {
  return parseOrThrow(fetchOptionsSchema, options ?? {}, `${caller} options`, (path) => (path === '' ? 'options' : path));
}

const unverified = z.literal('unverified');
const hexDigest = (length: number) => z.string().regex(new RegExp(`^[0-9a-fA-F]{${length}}$`), { error: `expected ${length} hex digits or 'unverified'` });

/** A catalogue entry as fetchDataset needs it; `archive.sha256` is an optional addition to DatasetEntry. */
const entrySchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, { error: 'expected a lower-case name of letters, digits, ".", "_" and "-"' }),
  archive: z.object({
    url: z.url({ protocol: /^https?$/, error: 'expected an http or https URL' }),
    bytes: z.union([z.number().int().positive(), unverified]),
    md5: z.union([hexDigest(32), unverified]),
    sha256: z.union([hexDigest(64), unverified]).optional(),
    checksumSource: z.string(),
  }),
  interactionsFile: z.string().min(1),
  interactionsFileMd5: hexDigest(32).optional(),
  format: z.enum(['triplets', 'csv', 'lastfm360k', 'movielens', 'mtx']),
});

/** A catalogue entry with an optional SHA-256 of the archive. */
export type FetchableEntry = DatasetEntry & { archive: DatasetEntry['archive'] & { sha256?: string } };

/** Validates a caller-supplied catalogue entry; throws InputError `invalid_option` naming each bad field. */
export function parseEntry(entry: FetchableEntry): FetchableEntry {
  parseOrThrow(entrySchema, entry, 'dataset entry');
  return entry;
}
