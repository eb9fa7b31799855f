// Fastify plugin with the recommendation routes, for `osusume serve` or any existing fastify app.

import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { OverloadError } from './batcher.js';
import type { ServeMetrics } from './metrics.js';
import { httpStatusOf, type RecommendHandler } from './recommend-handler.js';
import { recommendResponseSchema, similarItemsResponseSchema } from './response-schemas.js';

export interface RecommendPluginOptions {
  handler: RecommendHandler;
  /** When given, every route is counted and timed, and GET /metrics serves them. */
  metrics?: ServeMetrics;
}

/** Minimum time between two log lines about rejected requests, in milliseconds. */
const REJECTION_LOG_INTERVAL_MS = 1000;

/**
 * Counts queue-full rejections and logs at most one line per REJECTION_LOG_INTERVAL_MS with the count
 * since the previous line, because under overload one line per rejection meant thousands of stdout
 * writes per second. The exact count is in osusume_http_requests_total{status="503"}.
 */
class RejectionLog {
  private count = 0;
  private lastLoggedMs = -Infinity;

  record(request: FastifyRequest, error: OverloadError): void {
    this.count++;
    const now = performance.now();
    if (now - this.lastLoggedMs < REJECTION_LOG_INTERVAL_MS) return;
    request.log.warn({ queued: error.queued, rejected: this.count }, 'requests rejected: queue full');
    this.count = 0;
    this.lastLoggedMs = now;
  }
}

function sendError(request: FastifyRequest, reply: FastifyReply, error: FastifyError | Error, rejections: RejectionLog): FastifyReply {
  const status = httpStatusOf(error);
  if (error instanceof OverloadError) {
    reply.header('retry-after', String(error.retryAfterSeconds));
    rejections.record(request, error);
  } else if (status >= 500) {
    request.log.error({ err: error }, 'request failed');
  }
  return reply.code(status).send({ error: error.message, statusCode: status });
}

/**
 * Registers GET /recommend, POST /recommend, GET /similar-items, GET /healthz and, with metrics,
 * GET /metrics on `app`, under the prefix the app registers it with. Errors become JSON
 * { error, statusCode }: 400 for invalid parameters (naming the field), 404 for unknown ids, 503 with
 * Retry-After when the queue is full, 500 otherwise.
 *
 * @example
 * const handler = createRecommendHandler(model);
 * await app.register(recommendPlugin, { handler, prefix: '/recs' });
 */
export const recommendPlugin: FastifyPluginAsync<RecommendPluginOptions> = async (app: FastifyInstance, options) => {
  const { handler, metrics } = options;

  const rejections = new RejectionLog();
  app.setErrorHandler((error: FastifyError, request, reply) => sendError(request, reply, error, rejections));
  if (metrics !== undefined) {
    // Callback-style hooks: an async hook costs a promise per request.
    app.addHook('onResponse', (request, reply, done) => {
      metrics.observeRequest(request.routeOptions.url ?? 'unmatched', request.method, reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
  }

  const recommendRoute = { schema: { response: { 200: recommendResponseSchema } } };
  app.get('/recommend', recommendRoute, async (request) => handler.recommend(request.query));
  app.post('/recommend', recommendRoute, async (request) => handler.recommendFromItems(request.body));
  app.get('/similar-items', { schema: { response: { 200: similarItemsResponseSchema } } }, async (request) => handler.similarItems(request.query));
  app.get('/healthz', async (_request, reply) => {
    const health = handler.health();
    return reply.code(health.status === 'ok' ? 200 : 503).send(health);
  });
  if (metrics !== undefined) {
    app.get('/metrics', async (_request, reply) => reply.header('content-type', metrics.contentType).send(await metrics.render()));
  }
};
