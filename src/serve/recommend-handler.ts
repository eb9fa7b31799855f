// Framework-neutral request handling: validates parameters, batches scoring, and swaps models on
// reload without failing requests that are still running on the old one.

import type { AlternatingLeastSquares } from '../als/model.js';
import { InputError } from '../errors.js';
import { resolveUserItems } from '../recommend/resolve-ids.js';
import type { ScoredItem } from '../recommend/scored.js';
import { parseOrThrow } from '../validate.js';
import { OverloadError, type BatchListener, type BatcherOptions } from './batcher.js';
import { recommendBodySchema, recommendQuerySchema, similarItemsQuerySchema } from './request-schemas.js';
import { ServedModel } from './served-model.js';

export interface RecommendHandlerOptions extends BatcherOptions {
  /** Dispose models when they are replaced or the handler closes. Default false: the caller owns the model. */
  ownsModel?: boolean;
  /** Called after each batched scoring call with its size, duration and scorer, for metrics. */
  onBatch?: BatchListener;
}

export interface RecommendResponse {
  user: string | null;
  items: ScoredItem[];
}

export interface SimilarItemsResponse {
  item: string;
  items: ScoredItem[];
}

export interface HealthResponse {
  status: 'ok' | 'closing';
  users: number;
  items: number;
  factors: number;
  backend: string | undefined;
  queued: number;
}

/** Field names as a client sees them: `query.n`, `body.items.3`. */
const fieldName = (context: string) => (path: string) => (path === '' ? context : `${context}.${path}`);

/**
 * Request handling for a fitted model, independent of any web framework. Every method validates its
 * raw input (query object or parsed JSON body) and throws InputError (unknown_id for ids not in the
 * model, invalid_option naming the field otherwise) or OverloadError when the queue is full.
 */
export class RecommendHandler {
  private current: ServedModel;
  private isClosing = false;

  constructor(
    model: AlternatingLeastSquares,
    private readonly options: RecommendHandlerOptions = {},
  ) {
    this.current = new ServedModel(model, options.ownsModel ?? false, options, options.onBatch);
  }

  /** The model that new requests use. */
  get model(): AlternatingLeastSquares {
    return this.current.model;
  }

  /** GET /recommend: the top n items for a known user, leaving out the user's training items. */
  async recommend(query: unknown): Promise<RecommendResponse> {
    const { user, n } = parseOrThrow(recommendQuerySchema, query, 'query', fieldName('query'));
    return this.run(async ({ model, batcher }) => {
      const index = model.userIds.indexOf(user, 'user');
      const { factors } = model;
      const row = model.userFactors.subarray(index * factors, (index + 1) * factors);
      const liked = model.userItems?.row(index).indices;
      const result = await batcher.submit(row, Math.min(n, model.itemIds.size), liked);
      return { user, items: toScoredItems(model, result.ids, result.scores) };
    });
  }

  /** POST /recommend: folds in a user from the posted items and returns the top n other items. */
  async recommendFromItems(body: unknown): Promise<RecommendResponse> {
    const { items, n, user } = parseOrThrow(recommendBodySchema, body ?? undefined, 'body', fieldName('body'));
    return this.run(async ({ model, batcher }) => {
      const query = model.recalculateUser(items);
      const { items: liked } = resolveUserItems(items, model.itemIds, model.options.alpha);
      const result = await batcher.submit(query, Math.min(n, model.itemIds.size), liked);
      return { user: user === undefined ? null : String(user), items: toScoredItems(model, result.ids, result.scores) };
    });
  }

  /**
   * GET /similar-items: the n items closest to `item` by cosine of factors (the item itself first).
   * Concurrent requests are scored together, as for recommend().
   */
  async similarItems(query: unknown): Promise<SimilarItemsResponse> {
    const { item, n } = parseOrThrow(similarItemsQuerySchema, query, 'query', fieldName('query'));
    return this.run(async ({ model, similarItemsBatcher }) => {
      const index = model.itemIds.indexOf(item, 'item');
      const result = await similarItemsBatcher.submit(index, Math.min(n, model.itemIds.size));
      return { item, items: toScoredItems(model, result.ids, result.scores) };
    });
  }

  health(): HealthResponse {
    const { model } = this.current;
    return {
      status: this.isClosing ? 'closing' : 'ok',
      users: model.userIds.size,
      items: model.itemIds.size,
      factors: model.factors,
      backend: model.backendInfo?.description,
      queued: this.current.queued,
    };
  }

  /**
   * Serves `model` from now on. Requests already running finish on the previous model, which is then
   * disposed when the handler owns models; the returned promise resolves after that.
   */
  async replaceModel(model: AlternatingLeastSquares): Promise<void> {
    const previous = this.current;
    this.current = new ServedModel(model, this.options.ownsModel ?? false, this.options, this.options.onBatch);
    await previous.retire();
  }

  /** Rejects new requests, waits for running ones, and disposes the model when the handler owns it. */
  async close(): Promise<void> {
    this.isClosing = true;
    await this.current.retire();
  }

  private run<T>(work: (served: ServedModel) => Promise<T>): Promise<T> {
    if (this.isClosing) return Promise.reject(new OverloadError(this.current.queued, this.options.retryAfterSeconds ?? 1));
    return this.current.use(work);
  }
}

function toScoredItems(model: AlternatingLeastSquares, ids: Int32Array, scores: Float32Array): ScoredItem[] {
  const items: ScoredItem[] = [];
  for (let k = 0; k < ids.length && ids[k] >= 0; k++) items.push({ itemId: model.itemIds.idAt(ids[k]), score: scores[k] });
  return items;
}

/** Maps an error from RecommendHandler to an HTTP status: 400 bad input, 404 unknown id, 503 overloaded, else 500. */
export function httpStatusOf(error: unknown): number {
  if (error instanceof OverloadError) return 503;
  if (error instanceof InputError) return error.code === 'unknown_id' ? 404 : 400;
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

/**
 * Creates the request handler for `model`, for mounting in any Node web framework.
 *
 * @example
 * const handler = createRecommendHandler(model, { maxBatch: 256, windowMs: 1 });
 * app.get('/recommend', async (request, response) => {
 *   try { response.json(await handler.recommend(request.query)); }
 *   catch (error) { response.status(httpStatusOf(error)).json({ error: (error as Error).message }); }
 * });
 */
export function createRecommendHandler(model: AlternatingLeastSquares, options: RecommendHandlerOptions = {}): RecommendHandler {
  return new RecommendHandler(model, options);
}
