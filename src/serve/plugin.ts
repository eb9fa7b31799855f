// Fastify plugin with the recommendation routes, for `osusume serve` or any existing fastify app.

import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { OverloadError } from './batcher.js';
import type { ServeMetrics } from './metrics.js';
import { httpStatusOf, type RecommendHandler } from './recommend-handler.js';

export interface RecommendPluginOptions {
  handler: RecommendHandler;
  /** When given, every route is counted and timed, and GET /metrics serves them. */
  metrics?: ServeMetrics;
}

function sendError(request: FastifyRequest, reply: FastifyReply, error: FastifyError | Error): FastifyReply {
  const status = httpStatusOf(error);
  if (error instanceof OverloadError) {
    reply.header('retry-after', String(error.retryAfterSeconds));
    request.log.warn({ queued: error.queued }, 'request rejected: queue full');
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

  app.setErrorHandler((error: FastifyError, request, reply) => sendError(request, reply, error));
  if (metrics !== undefined) {
    app.addHook('onResponse', async (request, reply) => {
      metrics.observeRequest(request.routeOptions.url ?? 'unmatched', request.method, reply.statusCode, reply.elapsedTime / 1000);
    });
  }

  app.get('/recommend', async (request) => handler.recommend(request.query));
  app.post('/recommend', async (request) => handler.recommendFromItems(request.body));
  app.get('/similar-items', async (request) => handler.similarItems(request.query));
  app.get('/healthz', async (_request, reply) => {
    const health = handler.health();
    return reply.code(health.status === 'ok' ? 200 : 503).send(health);
  });
  if (metrics !== undefined) {
    app.get('/metrics', async (_request, reply) => reply.header('content-type', metrics.contentType).send(await metrics.render()));
  }
};
