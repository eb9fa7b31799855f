// `osusume bench`: load, weight, split, fit, recommend for every test user, evaluate, report.

import { constants } from 'node:fs';
import { access, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AlternatingLeastSquares } from '../als/index.js';
import type { Backend } from '../backends/backend.js';
import { selectBackend } from '../backends/select.js';
import { CsrMatrix } from '../csr/csr-matrix.js';
import type { IdMap } from '../csr/id-map.js';
import { InputError } from '../errors.js';
import { bm25Weight, tfidfWeight } from '../csr/weighting.js';
import { rankingMetricsAtK, trainTestSplit, type RankingMetrics } from '../evaluate/index.js';
import { loadInteractions, loadTrainTest } from '../io/index.js';
import { MostPopular } from '../recommend/most-popular.js';
import type { IndexRecommender } from '../recommend/types.js';
import { generateLastfmLike } from '../synthetic/index.js';
import type { BenchFlags } from './bench-options.js';
import type { BenchRecord, MetricsAtK } from './bench-record.js';
import { collectGarbage } from './collect-garbage.js';
import { modelOptionsFrom } from './model-flags.js';
import { createFitProgress } from './progress.js';
import { formatBenchReport } from './report.js';

interface LoadedSplit {
  source: string;
  format: string;
  userIds: IdMap;
  itemIds: IdMap;
  /** All interactions (train + test) before weighting, for the data summary. */
  interactions: number;
  train: CsrMatrix;
  test: CsrMatrix;
  loadSeconds: number;
  splitSeconds: number;
  linesPerSecond?: number;
}

function elapsedSeconds(start: number): number {
  return (performance.now() - start) / 1000;
}

/**
 * Loads and splits the data. The test matrix keeps only its structure (see heldOutItems), and with
 * `backend` the training matrix's index arrays move into its fit memory.
 */
async function loadAndSplit(flags: BenchFlags, backend: Backend | undefined): Promise<LoadedSplit> {
  const split = await loadAndSplitOnHost(flags);
  return { ...split, train: backend === undefined ? split.train : moveIndexArrays(split.train, backend), test: heldOutItems(split.test) };
}

/**
 * Returns `test` with its values replaced by ones, created only when code reads them. The metrics count
 * every held-out item as relevant whatever its value, so the bench needs only the structure. Dropping
 * the values frees 4 bytes per test interaction (14 MB at full scale) for the whole fit.
 */
function heldOutItems(test: CsrMatrix): CsrMatrix {
  const { indptr, indices, nnz } = test;
  return CsrMatrix.withDeferredValues(
    { indptr, indices, shape: test.shape },
    { readAll: () => new Float32Array(nnz).fill(1), readRange: (start, end) => new Float32Array(end - start).fill(1) },
  );
}

async function loadAndSplitOnHost(flags: BenchFlags): Promise<LoadedSplit> {
  const loadStart = performance.now();

  if (flags.train !== undefined && flags.test !== undefined) {
    const loaded = await loadTrainTest(flags.train, flags.test, { format: flags.format });
    const loadSeconds = elapsedSeconds(loadStart);
    return {
      source: `${flags.train} + ${flags.test}`,
      format: loaded.trainFormat === loaded.testFormat ? loaded.trainFormat : `${loaded.trainFormat} + ${loaded.testFormat}`,
      userIds: loaded.userIds,
      itemIds: loaded.itemIds,
      interactions: loaded.train.nnz + loaded.test.nnz,
      train: loaded.train,
      test: loaded.test,
      loadSeconds,
      splitSeconds: 0,
    };
  }

  const loaded =
    flags.data !== undefined
      ? await loadInteractions(flags.data, { format: flags.format })
      : generateLastfmLike({ scale: flags.syntheticScale ?? 1, seed: flags.seed });
  const loadSeconds = elapsedSeconds(loadStart);
  const lines = flags.data !== undefined ? loaded.stats.lines : undefined;

  const splitStart = performance.now();
  const { train, test } = trainTestSplit(loaded.userItems, { testFraction: flags.testFraction, seed: flags.seed });
  return {
    source: flags.data ?? `synthetic Last.fm-shaped set (scale ${flags.syntheticScale ?? 1}, seed ${flags.seed})`,
    format: 'format' in loaded ? loaded.format : 'synthetic',
    userIds: loaded.userIds,
    itemIds: loaded.itemIds,
    interactions: loaded.userItems.nnz,
    train,
    test,
    loadSeconds,
    splitSeconds: elapsedSeconds(splitStart),
    linesPerSecond: lines === undefined ? undefined : lines / loadSeconds,
  };
}

/**
 * Returns `matrix` with its row pointers and column indices moved into the backend's fit memory (see
 * Backend.allocateFitArray), where the fit uses them without the copy it would otherwise make. Arrays
 * stay on the host when the backend has no such memory. They live until the backend is disposed.
 */
function moveIndexArrays(matrix: CsrMatrix, backend: Backend): CsrMatrix {
  const move = (array: Uint32Array): Uint32Array => {
    const moved = backend.allocateFitArray?.(Uint32Array, array.length);
    if (moved === undefined) return array;
    moved.set(array);
    return moved;
  };
  return new CsrMatrix({ indptr: move(matrix.indptr), indices: move(matrix.indices), data: matrix.data, shape: matrix.shape }, { validate: false });
}

function applyWeighting(matrix: CsrMatrix, weighting: BenchFlags['weighting']): CsrMatrix {
  if (weighting === 'bm25') return bm25Weight(matrix);
  if (weighting === 'tfidf') return tfidfWeight(matrix);
  return matrix;
}

/** Wraps a recommender so the time spent inside recommendIndices is summed. */
function timeRecommendations(recommender: IndexRecommender): { recommender: IndexRecommender; seconds: () => number } {
  let total = 0;
  return {
    recommender: {
      async recommendIndices(users, options) {
        const start = performance.now();
        const result = await recommender.recommendIndices(users, options);
        total += performance.now() - start;
        return result;
      },
    },
    seconds: () => total / 1000,
  };
}

/**
 * Returns up to `count` users that have test interactions, spread evenly over the user range: of the
 * users with test interactions, those at positions floor(i * stride). Two passes over the rows pick
 * them without a list of every such user, which would grow the heap while the arena is full.
 */
function sampleTestUsers(test: CsrMatrix, count: number): number[] {
  let candidates = 0;
  for (let user = 0; user < test.nRows; user++) if (test.rowLength(user) > 0) candidates++;
  const stride = Math.max(1, candidates / count);
  const sample: number[] = [];
  let position = 0;
  for (let user = 0; user < test.nRows && sample.length < count; user++) {
    if (test.rowLength(user) === 0) continue;
    if (position === Math.floor(sample.length * stride)) sample.push(user);
    position++;
  }
  return sample;
}

function percentile(sortedValues: readonly number[], fraction: number): number {
  if (sortedValues.length === 0) return Number.NaN;
  const index = Math.min(sortedValues.length - 1, Math.ceil(fraction * sortedValues.length) - 1);
  return sortedValues[Math.max(0, index)];
}

function toMetrics(result: MetricsAtK): MetricsAtK {
  return { precision: result.precision, map: result.map, ndcg: result.ndcg, auc: result.auc, recall: result.recall };
}

/**
 * Loads and splits the data, then scores the most-popular baseline, which needs only the split. Scored
 * after the fit, the baseline set the bench's peak RSS, because its ranking and per-batch arrays grew
 * the JavaScript heap while the arena was full. Before the fit the same work peaks far lower.
 */
async function splitAndScoreBaseline(flags: BenchFlags, backend: Backend | undefined): Promise<{ split: LoadedSplit; baseline: RankingMetrics }> {
  const split = await loadAndSplit(flags, backend);
  const baseline = await rankingMetricsAtK(new MostPopular(split.train), split.train, split.test, { k: flags.k });
  return { split, baseline };
}

/** Runs the whole bench and returns its record; prints progress to stderr when `flags.progress` is set. */
export async function runBench(flags: BenchFlags): Promise<BenchRecord> {
  const startedAt = new Date().toISOString();
  const cpu = flags.device === 'cpu' ? await selectBackend({ device: 'cpu', threads: flags.threads }) : undefined;
  const { split, baseline } = await splitAndScoreBaseline(flags, cpu?.backend).catch(async (error: unknown) => {
    await cpu?.backend.dispose();
    throw error;
  });
  // The loaded matrix, the host copy of moved arrays and the baseline's working arrays are garbage now.
  // Free them before the fit fills memory that never shrinks.
  collectGarbage();

  const weightStart = performance.now();
  const train = applyWeighting(split.train, flags.weighting);
  const weightSeconds = elapsedSeconds(weightStart);

  const model = new AlternatingLeastSquares({
    backend: cpu?.backend,
    ...modelOptionsFrom(flags),
    seed: flags.seed,
    threads: flags.threads,
    device: flags.device,
    calculateTrainingLoss: flags.loss,
  });

  try {
    const progress = createFitProgress(flags.iterations, flags.progress);
    const iterationSeconds: number[] = [];
    const loss: number[] = [];
    const fitStart = performance.now();
    await model.fit(
      { userIds: split.userIds, itemIds: split.itemIds, userItems: train },
      {
        onIteration: (info) => {
          iterationSeconds.push(info.seconds);
          if (info.loss !== undefined) loss.push(info.loss);
          progress.update(info.iteration + 1, info.loss);
        },
      },
    );
    const fitSeconds = elapsedSeconds(fitStart);
    progress.stop();

    // The metrics filter the unweighted training interactions, as a site filters what a user already played.
    const timed = timeRecommendations(model);
    const metrics = await rankingMetricsAtK(timed.recommender, split.train, split.test, { k: flags.k });
    const recommendAllSeconds = timed.seconds();

    const latencies: number[] = [];
    for (const user of sampleTestUsers(split.test, flags.latencySamples)) {
      const start = performance.now();
      await model.recommend(split.userIds.idAt(user), { n: flags.k });
      latencies.push(performance.now() - start);
    }
    latencies.sort((a, b) => a - b);

    const modelInfo = model.backendInfo;
    if (modelInfo === undefined) throw new Error('the model reports no backend after fit');
    // With --device cpu the bench starts the backend, so the reason comes from its selection.
    const info = cpu === undefined ? modelInfo : { ...modelInfo, reason: cpu.reason };

    return {
      version: 1,
      startedAt,
      node: process.version,
      data: {
        source: split.source,
        format: split.format,
        weighting: flags.weighting,
        users: split.train.nRows,
        items: split.train.nCols,
        interactions: split.interactions,
        trainInteractions: split.train.nnz,
        testInteractions: split.test.nnz,
        testUsers: metrics.users,
        linesPerSecond: split.linesPerSecond,
      },
      model: { ...modelOptionsFrom(flags), seed: flags.seed },
      device: { ...info, requested: flags.device },
      timings: {
        loadSeconds: split.loadSeconds,
        weightSeconds,
        splitSeconds: split.splitSeconds,
        fitSeconds,
        iterationSeconds,
        recommendAllSeconds,
        recommendAllUsersPerSecond: metrics.users / recommendAllSeconds,
        singleUserP50Ms: percentile(latencies, 0.5),
        singleUserP99Ms: percentile(latencies, 0.99),
        singleUserSamples: latencies.length,
      },
      k: flags.k,
      metrics: toMetrics(metrics),
      baseline: toMetrics(baseline),
      loss: flags.loss ? loss : undefined,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    };
  } finally {
    await model.dispose();
    await cpu?.backend.dispose();
  }
}

/** Checks before a long run that the --json file can be written: its folder exists and it is no folder itself. */
async function checkJsonTarget(path: string): Promise<void> {
  const folder = dirname(resolve(path));
  const folderStats = await stat(folder).catch(() => undefined);
  if (folderStats === undefined || !folderStats.isDirectory()) {
    throw new InputError('invalid_option', `--json ${path}: folder ${folder} does not exist; create it or choose another path`, { where: '--json', received: path });
  }
  const fileStats = await stat(path).catch(() => undefined);
  if (fileStats?.isDirectory() === true) {
    throw new InputError('invalid_option', `--json ${path} is a folder; give a file path such as ${join(path, 'bench.json')}`, { where: '--json', received: path });
  }
  await access(folder, constants.W_OK).catch(() => {
    throw new InputError('invalid_option', `--json ${path}: folder ${folder} is not writable`, { where: '--json', received: path });
  });
}

/** Runs the bench, prints the report to stdout and writes the JSON record when --json is given. */
export async function benchCommand(flags: BenchFlags): Promise<void> {
  if (flags.json !== undefined) await checkJsonTarget(flags.json);
  const record = await runBench(flags);
  console.log(formatBenchReport(record));
  if (flags.json !== undefined) {
    await writeFile(flags.json, `${JSON.stringify(record, null, 2)}\n`);
    console.log(`\nwrote ${flags.json}`);
  }
}
