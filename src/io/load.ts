// Entry points for reading interaction files: one file, or a train and a test file in one id space.

import type { CsrMatrix } from '../csr/csr-matrix.js';
import { IdMap } from '../csr/id-map.js';
import { emptyStats, type InteractionStats, type Interactions } from '../csr/interactions.js';
import { type TripletBuild, TripletBuilder } from '../csr/triplet-builder.js';
import { InputError } from '../errors.js';
import { DelimitedParser } from './delimited-parser.js';
import { type FileSample, guessDelimiter, movielensLayoutFor, resolveFormat, sampleFile } from './detect-format.js';
import { fileError } from './file-errors.js';
import { type DelimitedLayout, genericLayout, lastfmLayout, type ResolvedFormat } from './formats.js';
import { KernelKeyInterner } from './kernel-key-interner.js';
import { forEachLineWithKernel } from './kernel-line-loop.js';
import { KeyInterner } from './key-interner.js';
import { DEFAULT_CHUNK_BYTES, forEachLine } from './line-reader.js';
import { createLoaderKernel, isKernelLayout, type LoaderKernelExports } from './loader-kernel.js';
import { hasGenericChoices, type LoadOptions, type ParsedLoadOptions, parseLoadOptions } from './load-options.js';
import { MatrixMarketParser } from './mtx-parser.js';
import type { IdInterner, ParseTarget } from './parse-target.js';

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
  users: IdInterner;
  items: IdInterner;
  itemNames: string[];
  /**
   * The WebAssembly fast path, when the first file's layout suits it and the module loads. Then
   * `users` and `items` keep their keys in its tables, and it serves every file of this id space.
   */
  kernel: LoaderKernelExports | undefined;
}

/** A file's format and layout, decided from its first lines before it is read. */
interface FilePlan {
  path: string;
  sample: FileSample;
  format: ResolvedFormat;
  /** The layout of a delimited file; undefined for MatrixMarket. */
  layout: DelimitedLayout | undefined;
}

interface FileRead {
  path: string;
  builder: TripletBuilder;
  stats: InteractionStats;
  format: ResolvedFormat;
  /** The layout of a delimited file; undefined for MatrixMarket. */
  layout: DelimitedLayout | undefined;
  hasNames: boolean;
}

/**
 * Reads a users x items interaction file. The formats are delimited triplets (`triplets`, `csv`),
 * Last.fm 360K (`lastfm360k`), MovieLens u.data, ratings.dat and ratings.csv (`movielens`), and
 * MatrixMarket coordinate files (`mtx`). The default `auto` picks one from the name and first lines.
 *
 * The file is streamed in 1 MiB reads; memory grows with the number of interactions and ids, not the
 * file size. A UTF-8 BOM, CRLF endings, blank lines and comment lines (`#`, or `%` in MatrixMarket) are
 * accepted and counted. Values of 0 are dropped and counted, because 0 means no interaction; duplicate
 * (user, item) lines are summed. Values are stored as float32, so each value and each sum must stay
 * below about 3.4e38.
 * Throws InputError `invalid_file` naming `path:line`, the bad value and what was expected for the first
 * invalid line (unless `invalidLines: 'skip'`), `invalid_file` naming the path when the file yields no
 * interaction or a sum overflows float32, and `invalid_option` for bad options.
 *
 * @example
 * const { userIds, itemIds, userItems, stats } = await loadInteractions('ml-100k/u.data');
 * // 943 users x 1682 items, 100000 stored values
 */
export async function loadInteractions(path: string, options: LoadOptions = {}): Promise<LoadedInteractions> {
  const parsed = parseLoadOptions(options, 'loadInteractions');
  const plan = await planFile(path, parsed);
  const ids = await createIdSpace(parsed, plan);

  const read = await readFile(plan, parsed, ids);
  requireInteractions(read, parsed);
  const { userItems, duplicatesSummed } = buildMatrix(read, [ids.users.ids.size, ids.items.ids.size]);
  read.stats.duplicatesSummed = duplicatesSummed;

  const result: LoadedInteractions = { userIds: ids.users.ids, itemIds: ids.items.ids, userItems, stats: read.stats, format: read.format };
  if (read.hasNames) result.itemNames = completeNames(ids);
  return result;
}

/**
 * Reads a train file and a test file into one id space. Ids that appear only in the test file still
 * get a row or column, so both matrices have the shape [all user ids, all item ids] and index i means
 * the same user in both. Each file's format is resolved on its own; options apply to both.
 * Throws as loadInteractions does; only the train file must contain an interaction.
 *
 * @example
 * const { train, test, userIds } = await loadTrainTest('ua.base', 'ua.test', { format: 'movielens' });
 */
export async function loadTrainTest(trainPath: string, testPath: string, options: LoadOptions = {}): Promise<TrainTestInteractions> {
  const parsed = parseLoadOptions(options, 'loadTrainTest');
  const trainPlan = await planFile(trainPath, parsed);
  const ids = await createIdSpace(parsed, trainPlan);

  const trainRead = await readFile(trainPlan, parsed, ids);
  requireInteractions(trainRead, parsed);
  const testRead = await readFile(await planFile(testPath, parsed), parsed, ids);
  const shape: [number, number] = [ids.users.ids.size, ids.items.ids.size];
  const train = buildMatrix(trainRead, shape);
  trainRead.stats.duplicatesSummed = train.duplicatesSummed;
  const test = buildMatrix(testRead, shape);
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

/** Makes the id space, over the WebAssembly fast path's tables when `plan`'s layout suits it and the module loads. */
async function createIdSpace(options: ParsedLoadOptions, plan: FilePlan): Promise<IdSpace> {
  const userIds = options.userIds ?? new IdMap();
  const itemIds = options.itemIds ?? new IdMap();
  const kernel = plan.layout !== undefined && isKernelLayout(plan.layout) ? await createLoaderKernel() : undefined;
  if (kernel === undefined) return { users: new KeyInterner(userIds), items: new KeyInterner(itemIds), itemNames: [], kernel };
  return { users: new KernelKeyInterner(userIds, kernel, kernel.userTable()), items: new KernelKeyInterner(itemIds, kernel, kernel.itemTable()), itemNames: [], kernel };
}

async function planFile(path: string, options: ParsedLoadOptions): Promise<FilePlan> {
  const sample = await sampleFile(path);
  const format = resolveFormat(options.format, path, sample, hasGenericChoices(options));
  return { path, sample, format, layout: format === 'mtx' ? undefined : delimitedLayout(format, sample, options) };
}

async function readFile(plan: FilePlan, options: ParsedLoadOptions, ids: IdSpace): Promise<FileRead> {
  const { path, sample, format, layout } = plan;
  const builder = new TripletBuilder({ userIds: ids.users.ids, itemIds: ids.items.ids, initialCapacity: estimateTriplets(sample) });
  const stats = emptyStats();
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;

  if (layout === undefined) {
    const target = parseTarget(path, builder, ids, undefined, stats, options);
    const parser = new MatrixMarketParser(target);
    stats.lines = await forEachLine(path, parser, chunkBytes);
    parser.finish();
    return { path, builder, stats, format, layout: undefined, hasNames: false };
  }

  const hasNames = layout.nameColumn !== undefined;
  const target = parseTarget(path, builder, ids, hasNames ? ids.itemNames : undefined, stats, options);
  const parser = new DelimitedParser(layout, target);
  const kernel = isKernelLayout(layout) ? ids.kernel : undefined;
  stats.lines = kernel === undefined ? await forEachLine(path, parser, chunkBytes) : await forEachLineWithKernel(path, parser, target, kernel, layout, chunkBytes);
  return { path, builder, stats, format, layout, hasNames };
}

/** Builds the file's matrix, naming the file when duplicate lines sum past the float32 maximum. */
function buildMatrix(read: FileRead, shape: [number, number]): TripletBuild {
  try {
    return read.builder.build(shape);
  } catch (error) {
    if (!(error instanceof InputError) || error.code !== 'invalid_triplets') throw error;
    throw fileError(read.path, error.message, { ...error.details, where: read.path }, { cause: error });
  }
}

/**
 * Throws InputError `invalid_file` when the file gave no interaction, with a count of each kind of
 * line read, because fitting or evaluating an empty matrix fails later with no mention of the file.
 */
function requireInteractions(read: FileRead, options: ParsedLoadOptions): void {
  const { stats } = read;
  if (stats.rows > 0) return;

  const kinds: string[] = [];
  const addKind = (count: number, kind: string) => {
    if (count > 0) kinds.push(`${count} ${kind}`);
  };
  addKind(stats.headerLines, 'header');
  addKind(stats.blankLines, 'blank');
  addKind(stats.commentLines, 'comment');
  addKind(stats.zeroValuesDropped, 'with value 0');
  addKind(stats.invalidLinesSkipped, 'invalid and skipped');
  const lines = stats.lines === 0 ? 'the file is empty' : `${stats.lines} ${stats.lines === 1 ? 'line' : 'lines'} read: ${kinds.join(', ')}`;

  let remedy = `expected ${describeExpectedLines(read, options)}`;
  if (stats.invalidLinesSkipped > 0) {
    remedy = `the first invalid line was ${stats.firstInvalidLine ?? 'not recorded'}`;
  } else if (stats.zeroValuesDropped > 0) {
    const values = stats.zeroValuesDropped === 1 ? 'the only value was zero and was dropped' : `all ${stats.zeroValuesDropped} values were zero and were dropped`;
    remedy = `${values}, because 0 means no interaction; expected at least one positive value`;
  }
  throw fileError(read.path, `no interactions found (${lines}); ${remedy}`, { received: `${stats.rows} interactions`, expected: 'at least 1 interaction' });
}

/** Describes a data line of the file's format for messages, for example "lines of user id, item id, value, separated by tab". */
function describeExpectedLines(read: FileRead, options: ParsedLoadOptions): string {
  const { layout } = read;
  if (layout === undefined) return 'entries "row column [value]" after the size line';
  let columns = layout.columnNames.filter((name) => name !== undefined).join(', ');
  // Unless the caller chose one, a triplets file has a value column only when its first line has a third column.
  const isValueOptional = layout.valueColumn === undefined && options.valueColumn === undefined && (layout.format === 'triplets' || layout.format === 'csv');
  if (isValueOptional) columns = `${columns} and an optional value`;
  return `lines of ${columns}, separated by ${layout.delimiterName}`;
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
