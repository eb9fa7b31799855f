// Benchmark of the CPU backend's kernels: the TypeScript reference against the WebAssembly SIMD
// kernels, in one run, on a synthetic Last.fm-shaped set. Measures the CG half-steps of an ALS
// iteration, recommend-all throughput (top 10, training items excluded) and single-user latency, and
// checks that both kernels return the same top-N lists.
// Usage: npx tsx scripts/bench-kernels.ts [--scale 0.25] [--factors 64] [--fit-iterations 15]
//   [--timed-iterations 3] [--ts-users 2000] [--users 20000] [--latency-samples 1000] [--threads 2]

import { parseArgs } from 'node:util';
import { initialFactors, toConfidence } from '../src/als/index.js';
import type { Backend, FitSession, Scorer, TopNResult } from '../src/backends/backend.js';
import { startCpuBackend } from '../src/backends/cpu/create-backend.js';
import type { CsrMatrix } from '../src/csr/csr-matrix.js';
import { trainTestSplit } from '../src/evaluate/index.js';
import { Random } from '../src/random.js';
import { gatherCsrRows, gatherRows } from '../src/recommend/batch.js';
import { generateLastfmLike } from '../src/synthetic/index.js';

const { values: flags } = parseArgs({
  options: {
    scale: { type: 'string', default: '0.25' },
    factors: { type: 'string', default: '64' },
    'fit-iterations': { type: 'string', default: '15' },
    'timed-iterations': { type: 'string', default: '3' },
    'ts-users': { type: 'string', default: '2000' },
    users: { type: 'string', default: '20000' },
    'latency-samples': { type: 'string', default: '1000' },
    threads: { type: 'string', default: '2' },
  },
});
const scale = Number(flags.scale);
const factors = Number(flags.factors);
const threads = Number(flags.threads);
const n = 10;
const batchUsers = 4096;
const solveParams = { regularization: 0.01, solver: 'cg', cgSteps: 3 } as const;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))];
}

/** Runs `count` ALS iterations and returns each one's seconds (users half-step + items half-step). */
async function timeIterations(session: FitSession, count: number): Promise<number[]> {
  const seconds: number[] = [];
  for (let iteration = 0; iteration < count; iteration++) {
    const started = performance.now();
    await session.solve('users', solveParams);
    await session.solve('items', solveParams);
    seconds.push((performance.now() - started) / 1000);
  }
  return seconds;
}

/** Ranks the top n of each user in `users` with their training items excluded, in batches like recommendIndices. */
async function recommendAll(scorer: Scorer, userFactors: Float32Array, train: CsrMatrix, users: Uint32Array): Promise<TopNResult> {
  const ids = new Int32Array(users.length * n);
  const scores = new Float32Array(users.length * n);
  for (let start = 0; start < users.length; start += batchUsers) {
    const block = users.subarray(start, Math.min(users.length, start + batchUsers));
    const result = await scorer.topN({ queries: gatherRows(userFactors, factors, block), n, exclude: gatherCsrRows(train, block) });
    ids.set(result.ids, start * n);
    scores.set(result.scores, start * n);
  }
  return { n, ids, scores };
}

/** Returns the median users per second of `rounds` recommend-all passes, and the last pass's result. */
async function timeRecommendAll(scorer: Scorer, userFactors: Float32Array, train: CsrMatrix, users: Uint32Array, rounds: number): Promise<{ usersPerSecond: number; result: TopNResult }> {
  const rates: number[] = [];
  let result: TopNResult | undefined;
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    result = await recommendAll(scorer, userFactors, train, users);
    rates.push(users.length / ((performance.now() - started) / 1000));
  }
  return { usersPerSecond: median(rates), result: result as TopNResult };
}

/** Returns single-query latencies in milliseconds, one user at a time, training items excluded. */
async function timeSingleUsers(scorer: Scorer, userFactors: Float32Array, train: CsrMatrix, users: Uint32Array): Promise<number[]> {
  const latencies: number[] = [];
  for (const user of users) {
    const started = performance.now();
    const liked = train.row(user).indices;
    await scorer.topN({
      queries: userFactors.subarray(user * factors, (user + 1) * factors),
      n,
      exclude: liked.length > 0 ? { indptr: Uint32Array.of(0, liked.length), indices: liked } : undefined,
    });
    latencies.push(performance.now() - started);
  }
  return latencies;
}

/** Counts rows of `a` (users[k] for row k) whose ids or scores differ from row k of `b`. */
function countMismatchedRows(a: TopNResult, b: TopNResult, rows: number): number {
  let mismatched = 0;
  for (let row = 0; row < rows; row++) {
    for (let k = row * n; k < (row + 1) * n; k++) {
      if (a.ids[k] !== b.ids[k] || !Object.is(a.scores[k], b.scores[k])) {
        mismatched++;
        break;
      }
    }
  }
  return mismatched;
}

function spread(users: Uint32Array, count: number): Uint32Array {
  if (users.length <= count) return users;
  return Uint32Array.from({ length: count }, (_, k) => users[Math.floor((k * users.length) / count)]);
}

async function main(): Promise<void> {
  const started = performance.now();
  const data = generateLastfmLike({ scale, seed: 1 });
  const { train, test } = trainTestSplit(data.userItems, { testFraction: 0.2, seed: 1 });
  const confidence = toConfidence({ userIds: data.userIds, itemIds: data.itemIds, userItems: train }, 1);
  const itemUsers = confidence.transpose();
  const random = new Random(1);
  const problem = {
    userItems: confidence,
    itemUsers,
    factors,
    userFactors: initialFactors(confidence.nRows, factors, random),
    itemFactors: initialFactors(confidence.nCols, factors, random),
  };
  console.log(`data: scale ${scale}, ${train.nRows} users x ${train.nCols} items, ${train.nnz} training pairs, factors ${factors}, ${threads} threads (${((performance.now() - started) / 1000).toFixed(1)} s to generate)`);

  const backends: Record<'typescript' | 'wasm', Backend> = {
    typescript: await startCpuBackend({ threads }, 'typescript'),
    wasm: await startCpuBackend({ threads }, 'auto'),
  };
  const timedIterations = Number(flags['timed-iterations']);
  const fitIterations = Math.max(timedIterations, Number(flags['fit-iterations']));

  // CG: the same start on both kernels; the WebAssembly session then runs on to give the factors for scoring.
  const typescriptSession = await backends.typescript.startFit(problem);
  const typescriptSeconds = await timeIterations(typescriptSession, timedIterations);
  await typescriptSession.dispose();
  const wasmSession = await backends.wasm.startFit(problem);
  const wasmSeconds = await timeIterations(wasmSession, timedIterations);
  await timeIterations(wasmSession, fitIterations - timedIterations);
  const loss = await wasmSession.loss(solveParams.regularization);
  const userFactors = await wasmSession.readFactors('users');
  const itemFactors = await wasmSession.readFactors('items');
  await wasmSession.dispose();
  console.log(`cg iteration (median of ${timedIterations}): typescript ${median(typescriptSeconds).toFixed(3)} s, wasm ${median(wasmSeconds).toFixed(3)} s, speed-up ${(median(typescriptSeconds) / median(wasmSeconds)).toFixed(2)}x; all wasm iterations [${wasmSeconds.map((s) => s.toFixed(2)).join(', ')}]`);
  console.log(`fit: ${fitIterations} wasm iterations, training loss ${loss.toPrecision(6)}`);

  const testUsers = Uint32Array.from({ length: test.nRows }, (_, user) => user).filter((user) => test.rowLength(user) > 0);
  const scorers = {
    typescript: await backends.typescript.createScorer(itemFactors, factors),
    wasm: await backends.wasm.createScorer(itemFactors, factors),
  };
  const typescriptUsers = spread(testUsers, Number(flags['ts-users']));
  const wasmUsers = spread(testUsers, Number(flags.users));
  const typescriptAll = await timeRecommendAll(scorers.typescript, userFactors, train, typescriptUsers, 1);
  const wasmAll = await timeRecommendAll(scorers.wasm, userFactors, train, wasmUsers, 3);
  const wasmOnCommon = await recommendAll(scorers.wasm, userFactors, train, typescriptUsers);
  console.log(`recommend-all top ${n}, training items excluded: typescript ${typescriptAll.usersPerSecond.toFixed(0)} users/s (${typescriptUsers.length} users), wasm ${wasmAll.usersPerSecond.toFixed(0)} users/s (median of 3 passes over ${wasmUsers.length} users)`);
  console.log(`exactness: ${countMismatchedRows(wasmOnCommon, typescriptAll.result, typescriptUsers.length)} of ${typescriptUsers.length} wasm top-${n} rows differ from the typescript brute-force rows (ids or score bits)`);

  const latencyUsers = spread(testUsers, Number(flags['latency-samples']));
  const typescriptLatency = await timeSingleUsers(scorers.typescript, userFactors, train, latencyUsers.subarray(0, 100));
  await timeSingleUsers(scorers.wasm, userFactors, train, latencyUsers.subarray(0, 50));
  const wasmLatency = await timeSingleUsers(scorers.wasm, userFactors, train, latencyUsers);
  console.log(`single user: typescript p50 ${percentile(typescriptLatency, 0.5).toFixed(2)} ms (100 users), wasm p50 ${percentile(wasmLatency, 0.5).toFixed(3)} ms, p99 ${percentile(wasmLatency, 0.99).toFixed(3)} ms (${wasmLatency.length} users)`);
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);

  await Promise.all([scorers.typescript.dispose(), scorers.wasm.dispose()]);
  await Promise.all([backends.typescript.dispose(), backends.wasm.dispose()]);
}

await main();
