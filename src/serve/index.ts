// Public entry of serve/: the HTTP server, its fastify plugin and the framework-neutral handler.

export { createRecommendServer, libraryLoggerFrom, type RecommendServer, type ServeOptions } from './server.js';
export { recommendPlugin, type RecommendPluginOptions } from './plugin.js';
export {
  createRecommendHandler,
  httpStatusOf,
  RecommendHandler,
  type HealthResponse,
  type RecommendHandlerOptions,
  type RecommendResponse,
  type SimilarItemsResponse,
} from './recommend-handler.js';
export { MicroBatcher, OverloadError, QueueLimit, TopNBatcher, type BatcherOptions, type BatchListener, type BatchScorer, type QueryResult } from './batcher.js';
export { ServeMetrics } from './metrics.js';
export { MAX_REQUEST_ITEMS, MAX_REQUEST_RESULTS } from './request-schemas.js';
