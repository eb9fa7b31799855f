// Entry points for reading interaction files: one file, or a train and a test file in one id space.

import type { CsrMatrix } from '../csr/csr-matrix.js';
import { IdMap } from '../csr/id-map.js';
import { emptyStats, type InteractionStats, type Interactions } from '../csr/interactions.js';
import { TripletBuilder } from '../csr/triplet-builder.js';
import { DelimitedParser } from './delimited-parser.js';
import { type FileSample, guessDelimiter, movielensLayoutFor, resolveFormat, sampleFile } from './detect-format.js';
import { type DelimitedLayout, genericLayout, lastfmLayout, type ResolvedFormat } from './formats.js';
import { KeyInterner } from './key-interner.js';
import { DEFAULT_CHUNK_BYTES, forEachLine } from './line-reader.js';
import { hasGenericChoices, type LoadOptions, type ParsedLoadOptions, parseLoadOptions } from './load-options.js';
import { MatrixMarketParser } from './mtx-parser.js';
import type { ParseTarget } from './parse-target.js';

/** Shortest line a triplet can take ("1\t2\t3\n"), used to bound the up-front allocation. */
const MIN_LINE_BYTES = 6;
/** Triplets reserved up front at most (384 MB of arrays); beyond it the builder grows as it reads. */
const MAX_RESERVED_TRIPLETS = 1 << 25;

/** Interactions read from a file, with the format that was used. */
export interface LoadedInteractions extends Interactions {
  format: ResolvedFormat;
}

/** A train and a test matrix over one id space: same users, same items, same shape. */
export interface TrainTestInteractions {
  userIds: IdMap;
  itemIds: IdMap;
  /** Display names by item index, for formats with names (Last.fm); see Interactions.itemNames. */
  itemNames?: string[];
  train: CsrMatrix;
  test: CsrMatrix;
  trainStats: InteractionStats;
  testStats: InteractionStats;
  trainFormat: ResolvedFormat;
  testFormat: ResolvedFormat;
}

/** Id maps, their byte caches and names, shared by every file of one load. */
interface IdSpace {
  users: KeyInterner;
  items: KeyInterner;
  itemNames: string[];
}

interface FileRead {
  builder: TripletBuilder;
  stats: InteractionStats;
  format: ResolvedFormat;
  hasNames: boolean;
}

/**
 * Reads a users x items interaction file. The formats are delimited triplets (`triplets`, `csv`),
 * Last.fm 360K (`lastfm360k`), MovieLens u.data, ratings.dat and ratings.csv (`movielens`), and
 * MatrixMarket coordinate files (`mtx`). The default `auto` picks one from the name and first lines.
 *
 * The file is streamed in 1 MiB reads; memory grows with the number of interactions and ids, not the
 * file size. A UTF-8 BOM, CRLF endings, blank lines and comment lines (`#`, or `%` in MatrixMarket) are
 * accepted and counted. Values of 0 are dropped and counted; duplicate (user, item) lines are summed.
 * Throws InputError `invalid_file` naming `path:line`, the bad value and what was expected for the first
 * invalid line (unless `invalidLines: 'skip'`), and `invalid_option` for bad options.
 *
 * @example
 * const { userIds, itemIds, userItems, stats } = await loadInteractions('ml-100k/u.data');
 * // 943 users x 1682 items, 100000 stored values
 */
export async function loadInteractions(path: string, options: LoadOptions = {}): Promise<LoadedInteractions> {
  const parsed = parseLoadOptions(options, 'loadInteractions');
  const ids = createIdSpace(parsed);

  const read = await readFile(path, parsed, ids);
  const { userItems, duplicatesSummed } = read.builder.build([ids.users.ids.size, ids.items.ids.size]);
  read.stats.duplicatesSummed = duplicatesSummed;

  const result: LoadedInteractions = { userIds: ids.users.ids, itemIds: ids.items.ids, userItems, stats: read.stats, format: read.format };
  if (read.hasNames) result.itemNames = completeNames(ids);
  return result;
}

/**
 * Reads a train file and a test file into one id space. Ids that appear only in the test file still
 * get a row or column, so both matrices have the shape [all user ids, all item ids] and index i means
 * the same user in both. Each file's format is resolved on its own; options apply to both.
 *
 * @example
 * const { train, test, userIds } = await loadTrainTest('ua.base', 'ua.test', { format: 'movielens' });
 */
export async function loadTrainTest(trainPath: string, testPath: string, options: LoadOptions = {}): Promise<TrainTestInteractions> {
  const parsed = parseLoadOptions(options, 'loadTrainTest');
  const ids = createIdSpace(parsed);

  const trainRead = await readFile(trainPath, parsed, ids);
  const testRead = await readFile(testPath, parsed, ids);
  const shape: [number, number] = [ids.users.ids.size, ids.items.ids.size];
  const train = trainRead.builder.build(shape);
  trainRead.stats.duplicatesSummed = train.duplicatesSummed;
  const test = testRead.builder.build(shape);
  testRead.stats.duplicatesSummed = test.duplicatesSummed;

  const result: TrainTestInteractions = {
    userIds: ids.users.ids,
    itemIds: ids.items.ids,
    train: train.userItems,
    test: test.userItems,
    trainStats: trainRead.stats,
    testStats: testRead.stats,
    trainFormat: trainRead.format,
    testFormat: testRead.format,
  };
  if (trainRead.hasNames || testRead.hasNames) result.itemNames = completeNames(ids);
  return result;
}

function createIdSpace(options: ParsedLoadOptions): IdSpace {
  return {
    users: new KeyInterner(options.userIds ?? new IdMap()),
    items: new KeyInterner(options.itemIds ?? new IdMap()),
    itemNames: [],
  };
}

async function readFile(path: string, options: ParsedLoadOptions, ids: IdSpace): Promise<FileRead> {
  const sample = await sampleFile(path);
  const format = resolveFormat(options.format, path, sample, hasGenericChoices(options));
  const builder = new TripletBuilder({ userIds: ids.users.ids, itemIds: ids.items.ids, initialCapacity: estimateTriplets(sample) });
  const stats = emptyStats();
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;

  if (format === 'mtx') {
    const target = parseTarget(path, builder, ids, undefined, stats, options);
    const parser = new MatrixMarketParser(target);
    stats.lines = await forEachLine(path, parser, chunkBytes);
    parser.finish();
    return { builder, stats, format, hasNames: false };
  }

  const layout = delimitedLayout(format, sample, options);
  const hasNames = layout.nameColumn !== undefined;
  const target = parseTarget(path, builder, ids, hasNames ? ids.itemNames : undefined, stats, options);
  stats.lines = await forEachLine(path, new DelimitedParser(layout, target), chunkBytes);
  return { builder, stats, format, hasNames };
}

function parseTarget(
  path: string,
  builder: TripletBuilder,
  ids: IdSpace,
  itemNames: string[] | undefined,
  stats: InteractionStats,
  options: ParsedLoadOptions,
): ParseTarget {
  return { path, builder, users: ids.users, items: ids.items, itemNames, stats, skipInvalidLines: options.invalidLines === 'skip', binary: options.binary };
}

function delimitedLayout(format: Exclude<ResolvedFormat, 'mtx'>, sample: FileSample, options: ParsedLoadOptions): DelimitedLayout {
  if (format === 'lastfm360k') return lastfmLayout(options.lastfmItemKey);
  if (format === 'movielens') return movielensLayoutFor(sample);

  const delimiter = options.delimiter ?? (format === 'csv' ? ',' : guessDelimiter(sample, '\t'));
  const firstLineColumns = sample.firstContentLine === undefined ? 0 : sample.firstContentLine.split(delimiter).length;
  return genericLayout(
    {
      format,
      delimiter,
      userColumn: options.userColumn ?? 0,
      itemColumn: options.itemColumn ?? 1,
      valueColumn: options.valueColumn,
      header: options.header ?? 'auto',
      columnCount: options.columnCount,
    },
    firstLineColumns,
  );
}

/** Estimates the file's line count from its sampled head, so the triplet arrays rarely regrow. */
function estimateTriplets(sample: FileSample): number {
  if (sample.fileBytes === 0) return 16;
  const lines = sample.fileBytes / Math.max(MIN_LINE_BYTES, sample.averageLineBytes);
  return Math.min(MAX_RESERVED_TRIPLETS, Math.ceil(lines * 1.05) + 16);
}

/** Returns names by item index, using the item id for items that got no name from any file. */
function completeNames(ids: IdSpace): string[] {
  const names = ids.itemNames;
  const itemIds = ids.items.ids;
  for (let index = 0; index < itemIds.size; index++) names[index] ??= itemIds.idAt(index);
  return names;
}
