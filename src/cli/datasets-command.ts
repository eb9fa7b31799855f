// `osusume datasets list | fetch | import-hdf5`: the public data set catalogue and the local CSR cache.

import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { csrCachePath, defaultCacheDir, type FetchProgress, fetchDataset, listDatasets, writeCsrCache } from '../io/datasets/index.js';
import type { DatasetStatus } from '../io/datasets/index.js';
import { readImplicitHdf5 } from '../io/hdf5/index.js';
import { parseOrThrow } from '../validate.js';
import { flagName } from './bench-options.js';
import { integerIn } from './model-flags.js';

const cacheDir = z.string().min(1, { error: 'expected a folder path' }).optional();

const listFlagsSchema = z.object({ cacheDir, json: z.boolean().default(false) }).strict();

const fetchFlagsSchema = z
  .object({
    cacheDir,
    refresh: z.boolean().default(false),
    keepArchive: z.boolean().default(false),
    retries: integerIn(0, 10).default(3),
    baseUrl: z.url({ protocol: /^https?$/, error: 'expected an http or https URL' }).optional(),
    skipInvalidLines: z.boolean().default(false),
    progress: z.boolean().default(true),
    json: z.boolean().default(false),
  })
  .strict();

const importFlagsSchema = z
  .object({
    cacheDir,
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, { error: 'expected a lower-case name of letters, digits, ".", "_" and "-"' }).default('lastfm-360k'),
    group: z.string().min(1).default('artist_user_plays'),
    orientation: z.enum(['auto', 'items-users', 'users-items']).default('auto'),
  })
  .strict();

/** Adds `osusume datasets` and its subcommands to `program`. */
export function registerDatasetsCommand(program: Command): void {
  const datasets = program.command('datasets').description('List, download and cache the public data sets of the catalogue.');

  datasets
    .command('list')
    .description('Print the catalogue and which data sets are cached.')
    .option('--cache-dir <dir>', 'cache folder (default: $OSUSUME_CACHE_DIR, else $XDG_CACHE_HOME/osusume, else ~/.cache/osusume)')
    .option('--json', 'print one JSON object per data set instead of a table')
    .action(async (raw: Record<string, unknown>) => {
      const flags = parseOrThrow(listFlagsSchema, raw, 'datasets list flags', flagName);
      const statuses = await listDatasets({ cacheDir: flags.cacheDir });
      process.stdout.write(flags.json ? statuses.map((status) => JSON.stringify(status)).join('\n') + '\n' : formatList(statuses, flags.cacheDir ?? defaultCacheDir()));
    });

  datasets
    .command('fetch')
    .description('Download a data set, check it, extract its ratings file and write the binary CSR cache.')
    .argument('<name>', 'data set name, as printed by `osusume datasets list`')
    .option('--cache-dir <dir>', 'cache folder (default: $OSUSUME_CACHE_DIR, else $XDG_CACHE_HOME/osusume, else ~/.cache/osusume)')
    .option('--refresh', 'download and convert again even when a cache exists')
    .option('--keep-archive', 'keep the downloaded archive in <cache-dir>/downloads')
    .option('--retries <n>', 'download attempts after the first on a dropped connection or HTTP 5xx, 0 to 10', '3')
    .option('--base-url <url>', 'mirror folder URL to download the archive from, in place of the catalogue address')
    .option('--skip-invalid-lines', 'skip and count invalid lines of the ratings file instead of stopping at the first')
    .option('--no-progress', 'print no progress bar')
    .option('--json', 'print the summary as one JSON object')
    .action(async (name: string, raw: Record<string, unknown>) => {
      const flags = parseOrThrow(fetchFlagsSchema, raw, 'datasets fetch flags', flagName);
      await runFetch(name, flags);
    });

  datasets
    .command('import-hdf5')
    .description("Convert a data set file cached by the Python library implicit (for example lastfm_360k.hdf5) into the CSR cache.")
    .argument('<file>', 'HDF5 file with a CSR group and artist and user name lists, as implicit writes it')
    .option('--name <name>', 'data set name to cache it under', 'lastfm-360k')
    .option('--group <path>', 'HDF5 group holding data, indices and indptr', 'artist_user_plays')
    .option('--orientation <orientation>', 'rows of the stored matrix: auto, items-users or users-items', 'auto')
    .option('--cache-dir <dir>', 'cache folder (default: $OSUSUME_CACHE_DIR, else $XDG_CACHE_HOME/osusume, else ~/.cache/osusume)')
    .action(async (file: string, raw: Record<string, unknown>) => {
      const flags = parseOrThrow(importFlagsSchema, raw, 'datasets import-hdf5 flags', flagName);
      const started = performance.now();
      const interactions = await readImplicitHdf5(file, { group: flags.group, orientation: flags.orientation });
      const path = csrCachePath(flags.cacheDir ?? defaultCacheDir(), flags.name);
      const bytes = await writeCsrCache(path, interactions, { dataset: flags.name, origin: file, verification: 'none' });
      const { nRows, nCols, nnz } = interactions.userItems;
      process.stdout.write(`${flags.name}: ${count(nRows)} users x ${count(nCols)} items, ${count(nnz)} interactions\n`);
      process.stdout.write(`cache: ${path} (${formatBytes(bytes)})\ntime: ${seconds(performance.now() - started)}\n`);
    });
}

async function runFetch(name: string, flags: z.output<typeof fetchFlagsSchema>): Promise<void> {
  const progress = createFetchProgress(flags.progress && !flags.json);
  const controller = new AbortController();
  const onInterrupt = () =>
    controller.abort(new InputError('interrupted', `fetch of ${name} interrupted; run the same command again to resume the download from its partial file`, { where: name }));
  process.once('SIGINT', onInterrupt);

  let fetched: Awaited<ReturnType<typeof fetchDataset>>;
  try {
    fetched = await fetchDataset(name, {
      cacheDir: flags.cacheDir,
      refresh: flags.refresh,
      keepArchive: flags.keepArchive,
      retries: flags.retries,
      baseUrl: flags.baseUrl,
      invalidLines: flags.skipInvalidLines ? 'skip' : 'error',
      onProgress: progress.update,
      signal: controller.signal,
    });
  } finally {
    progress.stop();
    process.off('SIGINT', onInterrupt);
  }

  const { nRows, nCols, nnz } = fetched.interactions.userItems;
  if (flags.json) {
    const { interactions, ...rest } = fetched;
    process.stdout.write(`${JSON.stringify({ ...rest, shape: [nRows, nCols], nnz, stats: interactions.stats })}\n`);
    return;
  }
  const lines = [
    `${fetched.name}: ${count(nRows)} users x ${count(nCols)} items, ${count(nnz)} interactions`,
    `cache: ${fetched.cachePath}`,
    fetched.fromCache ? `source: ${fetched.source.origin} (cached ${fetched.source.createdAt}; pass --refresh to download again)` : `source: ${fetched.source.origin}`,
    `checked: ${describeVerification(fetched.source.verification)}`,
  ];
  if (fetched.download !== undefined && fetched.download.resumedFromByte > 0) lines.push(`resumed: from byte ${count(fetched.download.resumedFromByte)}`);
  if (fetched.interactions.stats.invalidLinesSkipped > 0) lines.push(`skipped: ${count(fetched.interactions.stats.invalidLinesSkipped)} invalid lines`);
  lines.push(`time: ${seconds(fetched.elapsedMs)}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

function describeVerification(method: string | undefined): string {
  if (method === 'sha256' || method === 'md5') return `${method.toUpperCase()} matches the catalogue`;
  if (method === 'size') return 'size only; the catalogue lists no checksum for this archive';
  return 'nothing; the catalogue lists neither size nor checksum for this archive';
}

interface FetchProgressDisplay {
  update: (event: FetchProgress) => void;
  stop: () => void;
}

/**
 * Progress on stderr. On a terminal, byte-counted phases (download, verify, extract-verify) get a
 * cli-progress bar and the other phases one line each; elsewhere every phase gets one line.
 */
function createFetchProgress(enabled: boolean): FetchProgressDisplay {
  if (!enabled) return { update() {}, stop() {} };
  let phase: string | undefined;
  const describe = (event: FetchProgress) => `${event.phase}${event.bytesTotal === undefined ? '' : ` (${formatBytes(event.bytesTotal)})`}`;
  if (!process.stderr.isTTY) {
    return {
      update(event) {
        if (event.phase === phase) return;
        phase = event.phase;
        process.stderr.write(`fetch: ${describe(event)}\n`);
      },
      stop() {},
    };
  }

  const bar = new cliProgress.SingleBar(
    { format: '{phase} {bar} {percentage}% | {bytesDone} of {bytesTotal} | {duration_formatted}', stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let isBarRunning = false;
  const stopBar = () => {
    if (isBarRunning) bar.stop();
    isBarRunning = false;
  };
  return {
    update(event) {
      const hasBytes = event.phase === 'download' || event.phase === 'verify' || event.phase === 'extract-verify';
      const payload = { phase: event.phase, bytesDone: formatBytes(event.bytesDone), bytesTotal: event.bytesTotal === undefined ? 'unknown size' : formatBytes(event.bytesTotal) };
      if (event.phase !== phase) {
        phase = event.phase;
        stopBar();
        if (!hasBytes) {
          process.stderr.write(`fetch: ${describe(event)}\n`);
          return;
        }
        bar.start(Math.max(1, event.bytesTotal ?? event.bytesDone), event.bytesDone, payload);
        isBarRunning = true;
        return;
      }
      if (!isBarRunning) return;
      if (event.bytesTotal === undefined) bar.setTotal(Math.max(1, event.bytesDone));
      bar.update(event.bytesDone, payload);
    },
    stop: stopBar,
  };
}

function formatList(statuses: DatasetStatus[], folder: string): string {
  const rows = statuses.map((status) => {
    const { archive } = status.entry;
    let checksum = 'none';
    if (typeof archive.bytes === 'number') checksum = 'size';
    if (archive.md5 !== 'unverified') checksum = 'md5';
    let cached = status.cacheBytes === undefined ? 'no' : `yes (${formatBytes(status.cacheBytes)})`;
    if (status.cacheBytes === undefined && status.partialDownloadBytes !== undefined) cached = `partial (${formatBytes(status.partialDownloadBytes)})`;
    return [status.entry.name, typeof archive.bytes === 'number' ? formatBytes(archive.bytes) : '?', checksum, status.entry.format, cached, status.entry.title];
  });
  const header = ['name', 'archive', 'check', 'format', 'cached', 'title'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const render = (row: string[]) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ');
  return `${[header, ...rows].map(render).join('\n')}\ncache folder: ${folder}\n`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

const count = (value: number) => value.toLocaleString('en-US');
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
