// Load test of `osusume serve` on loopback. It starts the server on a model file in a child process,
// then runs autocannon against GET /recommend with random known user ids read from the model file.
// There are five phases. A single connection measures latency and a closed loop sustained throughput.
// An open loop at the target rate measures latency at that rate, one at twice the sustained rate the
// share of 503 answers under overload, and one at half the rate the recovery. Every phase is bounded in time, the server's RSS is
// sampled every 100 ms, and the script prints one JSON summary.
//
//   npm run build && npx tsx scripts/serve-bench/run-load.ts MODEL.osm [seconds=10] [maxQueue=32] [targetRate=2000]
//
// The server runs from the compiled package (start-server.mjs; OSUSUME_DIST names the build folder).

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { readModelFile } from '../../src/io/model-file/index.js';

const [modelPath, secondsText = '10', maxQueue = '32', targetRateText = '2000'] = process.argv.slice(2);
if (modelPath === undefined) throw new Error('usage: run-load.ts MODEL.osm [seconds] [maxQueue] [targetRate]');
const seconds = Math.min(15, Number(secondsText));
const targetRate = Number(targetRateText);

const userIds = (await readModelFile(modelPath, { verify: 'none' })).userIds.toArray().map(encodeURIComponent);
const randomPath = () => `/recommend?user=${userIds[Math.floor(Math.random() * userIds.length)]}&n=10`;

/** Resident and peak resident memory of `pid` in MiB, from /proc (Linux). */
function memoryMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) / 1024;
  return { rss: Math.round(field('VmRSS')), peak: Math.round(field('VmHWM')) };
}

interface Phase {
  name: string;
  requestsPerSecond: number;
  ok: number;
  okPerSecond: number;
  rejected503: number;
  other: number;
  p50Ms: number;
  p99Ms: number;
  /** Milliseconds from the phase start to the last 503, or null without any. */
  last503AtMs: number | null;
  /** Mean queries per scoring call during the phase, from the server's osusume_batch_size histogram. */
  meanBatch: number | null;
  maxRssMiB: number;
}

/** Sum and count of the server's osusume_batch_size histogram. */
async function batchTotals(url: string): Promise<{ sum: number; count: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { sum: value('osusume_batch_size_sum'), count: value('osusume_batch_size_count') };
}

async function runPhase(url: string, pid: number, name: string, options: { connections: number; duration: number; overallRate?: number }): Promise<Phase> {
  const counts = { ok: 0, rejected503: 0, other: 0 };
  const batchesBefore = await batchTotals(url);
  let maxRssMiB = memoryMiB(pid).rss;
  const sampler = setInterval(() => (maxRssMiB = Math.max(maxRssMiB, memoryMiB(pid).rss)), 100);
  const phaseStart = performance.now();
  let last503AtMs: number | null = null;
  // Without a callback autocannon returns its event-emitting instance, which is also a promise of the result.
  const instance = autocannon({ url, ...options, requests: [{ setupRequest: (request) => ({ ...request, path: randomPath() }) }] }) as unknown as autocannon.Instance &
    PromiseLike<autocannon.Result>;
  instance.on('response', (_client: unknown, statusCode: number) => {
    if (statusCode === 200) counts.ok++;
    else if (statusCode === 503) {
      counts.rejected503++;
      last503AtMs = Math.round(performance.now() - phaseStart);
    } else counts.other++;
  });
  const result = await instance;
  clearInterval(sampler);
  const batchesAfter = await batchTotals(url);
  const batches = batchesAfter.count - batchesBefore.count;
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    name,
    requestsPerSecond: round((counts.ok + counts.rejected503 + counts.other) / result.duration),
    okPerSecond: round(counts.ok / result.duration),
    ...counts,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    last503AtMs,
    meanBatch: batches > 0 ? round((batchesAfter.sum - batchesBefore.sum) / batches) : null,
    maxRssMiB,
  };
}

// SERVER_NODE_FLAGS passes V8 or Node flags to the server process only, for example --max-semi-space-size=2.
const serverFlags = (process.env.SERVER_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '');
const child = spawn(process.execPath, [...serverFlags, new URL('./start-server.mjs', import.meta.url).pathname, modelPath, maxQueue], { stdio: ['ignore', 'pipe', 'inherit'] });
const started = performance.now();
const url = await new Promise<string>((resolve, reject) => {
  child.once('exit', (code) => reject(new Error(`server exited with code ${code}`)));
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.startsWith('READY ')) resolve(line.slice('READY '.length));
  });
});
const startSeconds = (performance.now() - started) / 1000;
const pid = child.pid as number;
const loadedMemory = memoryMiB(pid);

try {
  const phases: Phase[] = [];
  await runPhase(url, pid, 'warm-up', { connections: 4, duration: 2 });
  phases.push(await runPhase(url, pid, 'one connection', { connections: 1, duration: Math.max(2, seconds / 2) }));
  const sustained = await runPhase(url, pid, 'closed loop, 16 connections', { connections: 16, duration: seconds });
  phases.push(sustained);
  // No more connections than maxQueue, so every 503 in this phase would mean a full queue at the target rate.
  phases.push(await runPhase(url, pid, `open loop at ${targetRate}/s (target rate)`, { connections: Math.min(32, Number(maxQueue)), duration: seconds, overallRate: targetRate }));
  const rate = Math.max(1, Math.round(sustained.okPerSecond));
  phases.push(await runPhase(url, pid, `open loop at ${2 * rate}/s (twice the sustained rate)`, { connections: 4 * Number(maxQueue), duration: seconds, overallRate: 2 * rate }));
  phases.push(await runPhase(url, pid, `open loop at ${Math.max(1, Math.round(rate / 2))}/s (recovery)`, { connections: 16, duration: Math.max(2, seconds / 2), overallRate: Math.max(1, Math.round(rate / 2)) }));
  const health = await (await fetch(`${url}/healthz`)).json();
  const summary = { modelPath, maxQueue: Number(maxQueue), serverFlags, serverStartSeconds: Math.round(startSeconds * 10) / 10, memoryAfterLoadMiB: loadedMemory, memoryAfterLoadTestMiB: memoryMiB(pid), healthAfter: health, phases };
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
} finally {
  child.kill('SIGTERM');
}
