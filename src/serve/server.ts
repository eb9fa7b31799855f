// `osusume serve`: a fastify server for one model file, with batched scoring, Prometheus metrics,
// reload (new model loaded beside the old one, swapped, old disposed after its requests) and drain.

import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { AlternatingLeastSquares } from '../als/model.js';
import type { Logger } from '../log.js';
import type { BatcherOptions } from './batcher.js';
import { ServeMetrics } from './metrics.js';
import { recommendPlugin } from './plugin.js';
import { RecommendHandler } from './recommend-handler.js';

export interface ServeOptions extends BatcherOptions {
  /** Model file written by model.save(); reload() reads it again. */
  modelPath: string;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Default 'auto'. */
  device?: 'auto' | 'cpu' | 'webgpu';
  /** CPU worker threads; default os.availableParallelism(). */
  threads?: number;
  /** pino level of the server log (JSON lines on stdout). Default 'info'. */
  logLevel?: 'silent' | 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  /**
   * How long close() waits for open connections to finish their requests before it closes them,
   * in milliseconds. Default 10,000. A client that never finishes sending a request would otherwise
   * hold the shutdown forever.
   */
  drainTimeoutMs?: number;
}

export interface RecommendServer {
  app: FastifyInstance;
  handler: RecommendHandler;
  metrics: ServeMetrics;
  /** Starts listening; returns the address, for example "http://127.0.0.1:8080". */
  listen(): Promise<string>;
  /** Loads the model file again and swaps it in; on failure the old model stays and the error is thrown. */
  reload(): Promise<void>;
  /** Stops accepting connections, finishes running requests, and disposes the model. */
  close(): Promise<void>;
}

/** Adapts a pino logger, which takes (fields, message), to the library Logger, which takes (message, fields). */
export function libraryLoggerFrom(log: FastifyBaseLogger): Logger {
  return {
    debug: (message, fields) => log.debug(fields ?? {}, message),
    info: (message, fields) => log.info(fields ?? {}, message),
    warn: (message, fields) => log.warn(fields ?? {}, message),
    error: (message, fields) => log.error(fields ?? {}, message),
  };
}

/**
 * Loads the model file and builds the item scorer and Y^T Y, which fold-in (POST /recommend) reads,
 * before the first request needs them. Y^T Y comes from the WebAssembly kernel in chunks (see
 * ScoringCache.prepareItemGram), so a reload beside live traffic blocks the event loop for a few
 * milliseconds at a time. The cosine scorer of GET /similar-items is left to its first request,
 * because its unit-length copy of the item factors adds about 85 MiB to the resident memory.
 */
async function loadWarm(options: ServeOptions, log: FastifyBaseLogger): Promise<AlternatingLeastSquares> {
  const started = performance.now();
  const model = await AlternatingLeastSquares.load(options.modelPath, { device: options.device, threads: options.threads, logger: libraryLoggerFrom(log) });
  const loaded = performance.now();
  let warmed = loaded;
  try {
    await model.scoreTopN({ queries: new Float32Array(model.factors), n: 1 });
    warmed = performance.now();
    await model.prepareFoldIn();
  } catch (error) {
    await model.dispose();
    throw error;
  }
  log.info(
    { path: options.modelPath, users: model.userIds.size, items: model.itemIds.size, factors: model.factors, backend: model.backendInfo?.description, loadMs: Math.round(loaded - started), warmMs: Math.round(warmed - loaded), gramMs: Math.round(performance.now() - warmed) },
    'model loaded',
  );
  return model;
}

/**
 * Creates the server and loads the model (listen() starts serving). Routes: see recommendPlugin.
 *
 * @example
 * const server = await createRecommendServer({ modelPath: 'model.osm', port: 8080, device: 'cpu' });
 * console.log(await server.listen());
 * process.on('SIGHUP', () => void server.reload().catch(() => {}));
 */
export async function createRecommendServer(options: ServeOptions): Promise<RecommendServer> {
  // No log line per request: at 2,000 requests per second those would be 4,000 lines a second on the
  // main thread. Request counts and latencies are in /metrics, and errors are still logged.
  const app = Fastify({ logger: { level: options.logLevel ?? 'info' }, logController: new LogController({ disableRequestLogging: true }), forceCloseConnections: 'idle', return503OnClosing: true });
  let metrics: ServeMetrics | undefined;

  let handler: RecommendHandler;
  try {
    const model = await loadWarm(options, app.log);
    handler = new RecommendHandler(model, { ...options, ownsModel: true, onBatch: (size, seconds, scorer) => metrics?.observeBatch(size, seconds, scorer) });
  } catch (error) {
    await app.close();
    throw error;
  }
  metrics = new ServeMetrics(() => handler.health().queued);
  // Responses finished while closing ask the client to close the connection. Otherwise a keep-alive
  // connection that was busy when close() began stays open until its idle timeout and delays the exit.
  let isClosing = false;
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (isClosing) reply.header('connection', 'close');
    done(null, payload);
  });

  await app.register(recommendPlugin, { handler, metrics });


  let reloading: Promise<void> | undefined;
  let followUp: Promise<void> | undefined;
  const runReload = async (): Promise<void> => {
    if (isClosing) return;
    app.log.info({ path: options.modelPath }, 'reload started');
    try {
      const model = await loadWarm(options, app.log);
      if (isClosing) {
        await model.dispose();
        app.log.info('reload finished after shutdown began; its model is disposed, not served');
        return;
      }
      const retired = handler.replaceModel(model);
      app.log.info('model swapped; the previous model is disposed after its running requests');
      await retired;
      app.log.info('previous model disposed');
    } catch (error) {
      app.log.error({ err: error, path: options.modelPath }, 'reload failed; still serving the previous model');
      throw error;
    }
  };
  const reload = (): Promise<void> => {
    if (reloading === undefined) {
      reloading = runReload().finally(() => {
        reloading = undefined;
      });
      return reloading;
    }
    // The running reload may have opened the file before the newest one was written, so a request made
    // meanwhile (a second SIGHUP) gets one more reload after it ends. Further requests share that one.
    followUp ??= reloading
      .catch(() => undefined)
      .then(() => {
        followUp = undefined;
        return reload();
      });
    return followUp;
  };

  return {
    app,
    handler,
    metrics,
    listen: () => app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 8080 }),
    reload,
    async close() {
      app.log.info('closing: finishing running requests');
      isClosing = true;
      const drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
      const forceClose = setTimeout(() => {
        app.log.warn({ drainTimeoutMs }, 'closing: connections still open after the drain timeout are closed now');
        app.server.closeAllConnections();
      }, drainTimeoutMs);
      try {
        await app.close();
      } finally {
        clearTimeout(forceClose);
      }
      // A reload still loading checks isClosing when its load ends and disposes that model itself.
      await Promise.allSettled([reloading, followUp]);
      await handler.close();
      app.log.info('closed');
    },
  };
}
