// A fixed pool of worker threads running the CPU backend's kernels, one request at a time per worker.

import { Worker } from 'node:worker_threads';
import { DeviceError, InvariantError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { WorkerData, WorkerEnvelope, WorkerReply, WorkerRequest, WorkerResults } from './messages.js';
import { resolveWorkerUrl } from './worker-url.js';

interface PendingTask {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** One worker and its requests that are still waiting for a reply. */
class PooledWorker {
  readonly pending = new Map<number, PendingTask>();

  constructor(readonly worker: Worker) {}

  /**
   * Holds the process open only while a request is in flight, so a pool that is never disposed does
   * not keep Node running after the program's own work ends.
   */
  updateRef(): void {
    if (this.pending.size > 0) this.worker.ref();
    else this.worker.unref();
  }
}

/** Worker threads that run kernels over shared memory. Create with WorkerPool.start. */
export class WorkerPool {
  private nextId = 1;
  private isDisposed = false;

  private constructor(private readonly workers: PooledWorker[], private readonly logger: Logger) {}

  /** Starts `threads` workers and waits until each has loaded its modules. */
  static async start(options: { threads: number; logger: Logger; workerData?: WorkerData }): Promise<WorkerPool> {
    const url = resolveWorkerUrl();
    const started = performance.now();
    const workers = Array.from({ length: options.threads }, () => new PooledWorker(new Worker(url, { workerData: options.workerData ?? {} })));
    const pool = new WorkerPool(workers, options.logger);
    try {
      await Promise.all(workers.map((pooled, index) => pool.listen(pooled, index)));
    } catch (error) {
      await Promise.all(workers.map((pooled) => pooled.worker.terminate()));
      throw error;
    }
    options.logger.debug('cpu backend: worker threads started', { threads: options.threads, ms: performance.now() - started });
    return pool;
  }

  get size(): number {
    return this.workers.length;
  }

  /** Resolves once the worker reports ready; afterwards routes its replies to pending requests. */
  private listen(pooled: PooledWorker, index: number): Promise<void> {
    return new Promise((resolveReady, rejectReady) => {
      let isReady = false;
      pooled.worker.on('message', (reply: WorkerReply) => {
        if ('ready' in reply) {
          isReady = true;
          pooled.updateRef();
          resolveReady();
          return;
        }
        const task = pooled.pending.get(reply.id);
        if (task === undefined) return;
        pooled.pending.delete(reply.id);
        pooled.updateRef();
        if (reply.ok) task.resolve(reply.value);
        else task.reject(new InvariantError(`cpu worker ${index} failed: ${reply.error.message}\n${reply.error.stack ?? ''}`));
      });
      pooled.worker.on('error', (error) => {
        const failure = new DeviceError('worker_failed', `cpu worker thread ${index} failed: ${error.message}`, { where: `worker ${index}` }, { cause: error });
        this.logger.error(failure.message);
        if (!isReady) rejectReady(failure);
        this.rejectAll(pooled, failure);
      });
      pooled.worker.on('exit', (code) => {
        if (this.isDisposed) return;
        const failure = new DeviceError('worker_failed', `cpu worker thread ${index} exited with code ${code} while the backend was in use`, { where: `worker ${index}` });
        if (!isReady) rejectReady(failure);
        this.rejectAll(pooled, failure);
      });
    });
  }

  private rejectAll(pooled: PooledWorker, error: Error): void {
    for (const task of pooled.pending.values()) task.reject(error);
    pooled.pending.clear();
    pooled.updateRef();
  }

  /** Sends one request to worker `index` and resolves with its result. */
  run<K extends WorkerRequest['kind']>(index: number, request: Extract<WorkerRequest, { kind: K }>): Promise<WorkerResults[K]> {
    if (this.isDisposed) {
      return Promise.reject(new DeviceError('backend_disposed', 'the CPU backend was disposed; create a new backend to continue'));
    }
    const pooled = this.workers[index];
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      pooled.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      pooled.updateRef();
      pooled.worker.postMessage({ id, request } satisfies WorkerEnvelope);
    });
  }

  /** Sends makeRequest(i) to every worker i and resolves with all results, in worker order. */
  runOnAll<K extends WorkerRequest['kind']>(makeRequest: (index: number) => Extract<WorkerRequest, { kind: K }>): Promise<WorkerResults[K][]> {
    return Promise.all(this.workers.map((_, index) => this.run<K>(index, makeRequest(index))));
  }

  /** Terminates every worker; pending requests reject. Calling it again does nothing. */
  async dispose(): Promise<void> {
    if (this.isDisposed) return;
    this.isDisposed = true;
    const disposed = new DeviceError('backend_disposed', 'the CPU backend was disposed while a request was running');
    for (const pooled of this.workers) this.rejectAll(pooled, disposed);
    await Promise.all(this.workers.map((pooled) => pooled.worker.terminate()));
  }
}
