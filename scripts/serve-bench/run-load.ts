// Load test of `osusume serve` on loopback. It starts the server on a model file in a child process,
// then sends GET /recommend with random known user ids read from the model file, in six phases. A
// single connection measures latency and a closed loop of 16 connections sustained throughput. Two
// phases measure latency at the target rate: autocannon's overallRate, kept for comparison with
// earlier runs, and a paced open loop (see pacedLoad for how they differ). A paced open loop at twice
// the sustained rate measures the share of 503 responses under overload, and one at half the rate the
// recovery. Every phase is bounded in time, and the server's RSS is sampled every 100 ms. Each phase
// also reports the CPU time of the server process and of this process (the load generator), the
// server's event-loop delay and its GC time. The script prints one JSON summary.
//
//   npm run build && npx tsx scripts/serve-bench/run-load.ts MODEL.osm [seconds=10] [maxQueue=32] [targetRate=2000]
//
// The server runs from the compiled package (start-server.mjs; OSUSUME_DIST names the build folder).
// SERVE_BENCH_PHASES picks phases for quick comparisons, for example "target" or "closed,target"
// (keys: one, closed, target, paced, overload, recovery; default all). Without the closed loop, the overload
// and recovery rates derive from the target rate. SERVE_OPTIONS (JSON) passes server options.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
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
  /** CPU seconds per wall second of the server process and of this load generator (1 = one whole core). */
  serverCpu: number;
  clientCpu: number;
  /** The server's event-loop delay over the phase (monitorEventLoopDelay, 10 ms resolution), p99 and max. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** Garbage collection pauses of the server's main thread per wall second, in milliseconds. */
  gcMsPerSecond: number;
}

/** User plus system CPU seconds of process `pid` so far, from /proc (Linux, 100 clock ticks per second). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface ServerCounters {
  batchSum: number;
  batchCount: number;
  gcSeconds: number;
  loopP99Seconds: number;
  loopMaxSeconds: number;
}

/**
 * Reads the server's metrics: batch sizes of recommendation batches and GC time (cumulative), and the
 * event-loop delay, which prom-client resets at each read, so a read after a phase covers that phase.
 */
async function serverCounters(url: string): Promise<ServerCounters> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (pattern: string) => Number(new RegExp(`^${pattern} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  const gcSeconds = [...text.matchAll(/^nodejs_gc_duration_seconds_sum\{[^}]*\} (\S+)$/gm)].reduce((total, match) => total + Number(match[1]), 0);
  return {
    batchSum: value('osusume_batch_size_sum(?:\\{scorer="recommend"\\})?'),
    batchCount: value('osusume_batch_size_count(?:\\{scorer="recommend"\\})?'),
    gcSeconds,
    loopP99Seconds: value('nodejs_eventloop_lag_p99_seconds'),
    loopMaxSeconds: value('nodejs_eventloop_lag_max_seconds'),
  };
}

/** Result of one phase's load generator, after it has reported each response's status as it came. */
interface LoadResult {
  durationSeconds: number;
  p50Ms: number;
  p99Ms: number;
}
type StatusRecorder = (statusCode: number) => void;
type LoadDriver = (recordStatus: StatusRecorder) => Promise<LoadResult>;

/** Drives a closed loop (or autocannon's per-second rate quotas) over `connections` autocannon connections. */
function autocannonLoad(url: string, options: { connections: number; duration: number; overallRate?: number }): LoadDriver {
  return async (recordStatus) => {
    // Without a callback autocannon returns its event-emitting instance, which is also a promise of the result.
    const instance = autocannon({ url, ...options, requests: [{ setupRequest: (request) => ({ ...request, path: randomPath() }) }] }) as unknown as autocannon.Instance &
      PromiseLike<autocannon.Result>;
    instance.on('response', (_client: unknown, statusCode: number) => recordStatus(statusCode));
    const result = await instance;
    return { durationSeconds: result.duration, p50Ms: result.latency.p50, p99Ms: result.latency.p99 };
  };
}

/**
 * Drives a true open loop: request k is due at k / rate seconds after the start, whatever the server
 * does, and its latency counts from when it was due. autocannon's overallRate is not this. Each
 * connection sends its share of the second back to back and then waits for the next second, so it
 * measures a closed loop of all connections for most of each second. Requests go over at most
 * `maxSockets` keep-alive connections; a request that finds them all busy waits, and that wait counts.
 */
function pacedLoad(url: string, rate: number, seconds: number, maxSockets: number): LoadDriver {
  return (recordStatus) =>
    new Promise((resolve) => {
      const agent = new Agent({ keepAlive: true, maxSockets });
      const { hostname, port } = new URL(url);
      const latencies: number[] = [];
      const total = Math.round(rate * seconds);
      let sent = 0;
      let settled = 0;
      const started = performance.now();
      const finish = () => {
        agent.destroy();
        latencies.sort((a, b) => a - b);
        const at = (quantile: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(quantile * latencies.length))] * 10) / 10;
        resolve({ durationSeconds: (performance.now() - started) / 1000, p50Ms: at(0.5), p99Ms: at(0.99) });
      };
      const send = (dueMs: number) => {
        const request = httpRequest({ agent, hostname, port, path: randomPath() }, (response) => {
          response.resume();
          response.on('end', () => {
            recordStatus(response.statusCode ?? 0);
            if (response.statusCode === 200) latencies.push(performance.now() - dueMs);
            if (++settled === total) finish();
          });
        });
        request.on('error', () => {
          recordStatus(0);
          if (++settled === total) finish();
        });
        request.end();
      };
      // Node timers fire at most every millisecond, so each tick sends every request due by then.
      const ticker = setInterval(() => {
        const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
        for (; sent < due; sent++) send(started + (sent * 1000) / rate);
        if (sent === total) clearInterval(ticker);
      }, 1);
    });
}

async function runPhase(url: string, pid: number, name: string, drive: LoadDriver): Promise<Phase> {
  const counts = { ok: 0, rejected503: 0, other: 0 };
  const before = await serverCounters(url);
  const serverCpuBefore = cpuSeconds(pid);
  const clientCpuBefore = cpuSeconds(process.pid);
  let maxRssMiB = memoryMiB(pid).rss;
  const sampler = setInterval(() => (maxRssMiB = Math.max(maxRssMiB, memoryMiB(pid).rss)), 100);
  const phaseStart = performance.now();
  let last503AtMs: number | null = null;
  const result = await drive((statusCode) => {
    if (statusCode === 200) counts.ok++;
    else if (statusCode === 503) {
      counts.rejected503++;
      last503AtMs = Math.round(performance.now() - phaseStart);
    } else counts.other++;
  });
  clearInterval(sampler);
  const wallSeconds = (performance.now() - phaseStart) / 1000;
  const serverCpu = (cpuSeconds(pid) - serverCpuBefore) / wallSeconds;
  const clientCpu = (cpuSeconds(process.pid) - clientCpuBefore) / wallSeconds;
  const after = await serverCounters(url);
  const batches = after.batchCount - before.batchCount;
  const round = (value: number) => Math.round(value * 10) / 10;
  const round2 = (value: number) => Math.round(value * 100) / 100;
  return {
    name,
    requestsPerSecond: round((counts.ok + counts.rejected503 + counts.other) / result.durationSeconds),
    okPerSecond: round(counts.ok / result.durationSeconds),
    ...counts,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    last503AtMs,
    meanBatch: batches > 0 ? round((after.batchSum - before.batchSum) / batches) : null,
    maxRssMiB,
    serverCpu: round2(serverCpu),
    clientCpu: round2(clientCpu),
    loopDelayP99Ms: round(after.loopP99Seconds * 1000),
    loopDelayMaxMs: round(after.loopMaxSeconds * 1000),
    gcMsPerSecond: round(((after.gcSeconds - before.gcSeconds) * 1000) / wallSeconds),
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

const selected = new Set((process.env.SERVE_BENCH_PHASES ?? 'one,closed,target,paced,overload,recovery').split(','));

try {
  const phases: Phase[] = [];
  await runPhase(url, pid, 'warm-up', autocannonLoad(url, { connections: 4, duration: 2 }));
  if (selected.has('one')) phases.push(await runPhase(url, pid, 'one connection', autocannonLoad(url, { connections: 1, duration: Math.max(2, seconds / 2) })));
  let rate = targetRate;
  if (selected.has('closed')) {
    const sustained = await runPhase(url, pid, 'closed loop, 16 connections', autocannonLoad(url, { connections: 16, duration: seconds }));
    phases.push(sustained);
    rate = Math.max(1, Math.round(sustained.okPerSecond));
  }
  // No more connections than maxQueue, so every 503 in this phase would mean a full queue at the target rate.
  if (selected.has('target')) {
    const options = { connections: Math.min(32, Number(maxQueue)), duration: seconds, overallRate: targetRate };
    phases.push(await runPhase(url, pid, `autocannon at ${targetRate}/s (target rate, per-second quotas)`, autocannonLoad(url, options)));
  }
  if (selected.has('paced')) {
    phases.push(await runPhase(url, pid, `paced open loop at ${targetRate}/s (target rate)`, pacedLoad(url, targetRate, seconds, 64)));
  }
  // Paced as well: autocannon's per-second quotas would send each second's overload in one burst and
  // then leave the server idle, which understates what it serves while rejecting the excess.
  if (selected.has('overload')) {
    phases.push(await runPhase(url, pid, `paced open loop at ${2 * rate}/s (twice the sustained rate)`, pacedLoad(url, 2 * rate, seconds, 4 * Number(maxQueue))));
  }
  if (selected.has('recovery')) {
    const recoveryRate = Math.max(1, Math.round(rate / 2));
    phases.push(await runPhase(url, pid, `paced open loop at ${recoveryRate}/s (recovery)`, pacedLoad(url, recoveryRate, Math.max(2, seconds / 2), 64)));
  }
  const health = await (await fetch(`${url}/healthz`)).json();
  const summary = { modelPath, maxQueue: Number(maxQueue), serverFlags, serveOptions: process.env.SERVE_OPTIONS ?? null, serverStartSeconds: Math.round(startSeconds * 10) / 10, memoryAfterLoadMiB: loadedMemory, memoryAfterLoadTestMiB: memoryMiB(pid), healthAfter: health, phases };
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
} finally {
  child.kill('SIGTERM');
}
