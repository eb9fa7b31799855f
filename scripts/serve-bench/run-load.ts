// Load test of `osusume serve` on loopback. It starts the server on a model file in a child process,
// then runs autocannon against GET /recommend with random known user ids in four phases: a single
// connection (latency), a closed loop (sustained throughput), an open loop at twice that rate
// (overload: 503 share), and half the rate afterwards (recovery). Every phase is bounded in time, and
// the script prints one JSON summary.
//
//   npm run build && npx tsx scripts/serve-bench/run-load.ts MODEL.osm [seconds=10] [maxQueue=32]
//
// The server runs from the compiled package (start-server.mjs; OSUSUME_DIST names the build folder).
// User ids are recomputed the way build-model.ts made them.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { LASTFM_360K_USERS } from '../../src/synthetic/index.js';

const [modelPath, secondsText = '10', maxQueue = '32'] = process.argv.slice(2);
if (modelPath === undefined) throw new Error('usage: run-load.ts MODEL.osm [seconds] [maxQueue]');
const seconds = Number(secondsText);

const hex = (value: number) => value.toString(16).padStart(8, '0');
const userId = (u: number) => `${hex(u)}${hex(u * 7919)}${hex(u * 104729)}${hex(u ^ 0x5bd1e995)}${hex(u * 31)}`;
const randomPath = () => `/recommend?user=${userId(Math.floor(Math.random() * LASTFM_360K_USERS))}&n=10`;

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
  rejected503: number;
  other: number;
  p50Ms: number;
  p99Ms: number;
  /** Milliseconds from the phase start to the last 503, or null without any. */
  last503AtMs: number | null;
}

async function runPhase(url: string, name: string, options: { connections: number; duration: number; overallRate?: number }): Promise<Phase> {
  const counts = { ok: 0, rejected503: 0, other: 0 };
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
    }
    else counts.other++;
  });
  const result = await instance;
  return { name, requestsPerSecond: Math.round(((counts.ok + counts.rejected503 + counts.other) / result.duration) * 10) / 10, ...counts, p50Ms: result.latency.p50, p99Ms: result.latency.p99, last503AtMs };
}

const child = spawn(process.execPath, [new URL('./start-server.mjs', import.meta.url).pathname, modelPath, maxQueue], { stdio: ['ignore', 'pipe', 'inherit'] });
const started = performance.now();
const url = await new Promise<string>((resolve, reject) => {
  child.once('exit', (code) => reject(new Error(`server exited with code ${code}`)));
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.startsWith('READY ')) resolve(line.slice('READY '.length));
  });
});
const startSeconds = (performance.now() - started) / 1000;
const loadedMemory = memoryMiB(child.pid as number);

try {
  const phases: Phase[] = [];
  await runPhase(url, 'warm-up', { connections: 4, duration: 2 });
  phases.push(await runPhase(url, 'one connection', { connections: 1, duration: Math.max(2, seconds / 2) }));
  const sustained = await runPhase(url, 'closed loop, 16 connections', { connections: 16, duration: seconds });
  phases.push(sustained);
  const rate = Math.max(1, Math.round(sustained.ok / seconds));
  phases.push(await runPhase(url, `open loop at ${2 * rate}/s (twice the sustained rate)`, { connections: 4 * Number(maxQueue), duration: seconds, overallRate: 2 * rate }));
  phases.push(await runPhase(url, `open loop at ${Math.max(1, Math.round(rate / 2))}/s (recovery)`, { connections: 16, duration: Math.max(2, seconds / 2), overallRate: Math.max(1, Math.round(rate / 2)) }));
  process.stdout.write(`${JSON.stringify({ modelPath, maxQueue: Number(maxQueue), serverStartSeconds: Math.round(startSeconds * 10) / 10, memoryAfterLoadMiB: loadedMemory, memoryAfterLoadTestMiB: memoryMiB(child.pid as number), phases }, null, 2)}\n`);
} finally {
  child.kill('SIGTERM');
}
