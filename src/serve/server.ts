// `osusume serve`: a fastify server for one model file, with batched scoring, Prometheus metrics,
// reload (new model loaded beside the old one, swapped, old disposed after its requests) and drain.

import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
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
 * Loads the model file and builds the item scorer before the first request needs it. Y^T Y, which only
 * fold-in (POST /recommend) reads, is left to its first use: on the main thread it takes 1.4 to 2 s
 * for 292,385 items at 64 factors, and start-up and SIGHUP reload should not pay it.
 */
async function loadWarm(options: ServeOptions, log: FastifyBaseLogger): Promise<AlternatingLeastSquares> {
  const started = performance.now();
  const model = await AlternatingLeastSquares.load(options.modelPath, { device: options.device, threads: options.threads, logger: libraryLoggerFrom(log) });
  const loaded = performance.now();
  try {
    await model.scoreTopN({ queries: new Float32Array(model.factors), n: 1 });
  } catch (error) {
    await model.dispose();
    throw error;
  }
  log.info(
    { path: options.modelPath, users: model.userIds.size, items: model.itemIds.size, factors: model.factors, backend: model.backendInfo?.description, loadMs: Math.round(loaded - started), warmMs: Math.round(performance.now() - loaded) },
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
  const app = Fastify({ logger: { level: options.logLevel ?? 'info' }, forceCloseConnections: 'idle', return503OnClosing: true });
  let metrics: ServeMetrics | undefined;

  let handler: RecommendHandler;
  try {
    const model = await loadWarm(options, app.log);
    handler = new RecommendHandler(model, { ...options, ownsModel: true, onBatch: (size, seconds) => metrics?.observeBatch(size, seconds) });
  } catch (error) {
    await app.close();
    throw error;
  }
  metrics = new ServeMetrics(() => handler.health().queued);
  // Responses finished while closing ask the client to close the connection. Otherwise a keep-alive
  // connection that was busy when close() began stays open until its idle timeout and delays the exit.
  let isClosing = false;
  app.addHook('onSend', async (_request, reply) => {
    if (isClosing) reply.header('connection', 'close');
  });

  await app.register(recommendPlugin, { handler, metrics });


  let reloading: Promise<void> | undefined;
  const reload = (): Promise<void> => {
    // Concurrent reload requests (two SIGHUPs) share one load.
    reloading ??= (async () => {
      app.log.info({ path: options.modelPath }, 'reload started');
      try {
        const model = await loadWarm(options, app.log);
        const retired = handler.replaceModel(model);
        app.log.info('model swapped; the previous model is disposed after its running requests');
        await retired;
        app.log.info('previous model disposed');
      } catch (error) {
        app.log.error({ err: error, path: options.modelPath }, 'reload failed; still serving the previous model');
        throw error;
      } finally {
        reloading = undefined;
      }
    })();
    return reloading;
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
      await app.close();
      await handler.close();
      app.log.info('closed');
    },
  };
}
