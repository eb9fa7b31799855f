// AlternatingLeastSquares: implicit-feedback matrix factorisation (Hu, Koren and Volinsky, 2008), fitted
// on whichever backend device selection picks, with recommendation methods on the fitted factors.

import type { Backend, BackendInfo, TopNResult } from '../backends/backend.js';
import { selectBackend, type BackendSelection } from '../backends/select.js';
import type { CsrMatrix } from '../csr/csr-matrix.js';
import { IdMap, type ExternalId } from '../csr/id-map.js';
import { InputError, NumericError } from '../errors.js';
import { createConsoleLogger, silentLogger, type Logger } from '../log.js';
import {
  parseAlsOptions,
  parseCallOptions,
  userItemsSchema,
  type AlsOptions,
  type RecommendBatchOptions,
  type RecommendOptions,
  type ResolvedAlsOptions,
  type SimilarItemsOptions,
  type SimilarUsersOptions,
  type UserItems,
} from '../options.js';
import { Random } from '../random.js';
import { topNForUsers } from '../recommend/batch.js';
import type { FactorModelState } from '../recommend/model-state.js';
import { recommendForUser, recommendForUsers, type BatchRecommendations } from '../recommend/recommend.js';
import { resolveUserItems } from '../recommend/resolve-ids.js';
import type { ScoredItem, ScoredUser } from '../recommend/scored.js';
import { similarItems, similarUsers } from '../recommend/similar.js';
import type { IndexRecommender, IndexRecommendOptions } from '../recommend/types.js';
import { runAlsIterations, type IterationInfo } from './fit-loop.js';
import { foldInUser } from './fold-in.js';
import { initialFactors } from './init-factors.js';
import { normalizeFitData, toConfidence, type FitData, type InteractionsLike } from './input.js';
import { ScoringCache } from './scoring-cache.js';

export interface FitOptions {
  /** Called after every iteration with its 0-based index, duration and (when asked for) loss. */
  onIteration?: (info: IterationInfo) => void;
}

/** The backend a model runs on, and why device selection chose it. */
export type ModelBackendInfo = BackendInfo & { reason: string };

/**
 * Alternating least squares for implicit feedback. Each stored value r_ui means preference p_ui = 1
 * with confidence c_ui = 1 + alpha * r_ui; missing cells mean p = 0 with c = 1. fit() minimises
 *   sum_ui c_ui (p_ui - x_u . y_i)^2 + regularization (sum_u |x_u|^2 + sum_i |y_i|^2).
 *
 * @example
 * const model = new AlternatingLeastSquares({ factors: 64, iterations: 15, seed: 1 });
 * try {
 *   await model.fit(interactions);
 *   const top = await model.recommend('user-42', { n: 10 });
 * } finally {
 *   await model.dispose();
 * }
 */
export class AlternatingLeastSquares implements IndexRecommender {
  readonly options: ResolvedAlsOptions;
  /** Seed of the last fit's initial factors: options.seed, or the random seed drawn for it. */
  seed: number | undefined;
  /** nUsers x factors, row-major; empty before fit. */
  userFactors: Float32Array = new Float32Array(0);
  /** nItems x factors, row-major; empty before fit. */
  itemFactors: Float32Array = new Float32Array(0);
  userIds = new IdMap();
  itemIds = new IdMap();
  /** The training interactions of the last fit (values before weighting), used to filter liked items. */
  userItems: CsrMatrix | undefined;
  /** Training loss after each iteration of the last fit, when calculateTrainingLoss is on. */
  losses: number[] = [];
  /** Set by the first fit. */
  backendInfo: ModelBackendInfo | undefined;

  private readonly logger: Logger;
  private selection: Promise<BackendSelection> | undefined;
  private cache: ScoringCache | undefined;
  private state: FactorModelState | undefined;
  private isDisposed = false;

  /** Validates `options` (see AlsOptions); throws InputError (invalid_option) naming each bad option. */
  constructor(options: AlsOptions = {}) {
    this.options = parseAlsOptions(options);
    const { logger, logLevel } = this.options;
    this.logger = logger ?? (logLevel === undefined ? silentLogger : createConsoleLogger(logLevel));
  }

  get factors(): number {
    return this.options.factors;
  }

  get isFitted(): boolean {
    return this.state !== undefined;
  }

  /**
   * Factorises `data` (interactions with id maps, or a bare users x items CsrMatrix whose ids become
   * "0", "1", ...). Initial factors are uniform in [0, 0.01), drawn from `seed`. Replaces any earlier fit.
   * Throws InputError for bad data and NumericError (naming the user or item) when a solve fails.
   */
  async fit(data: FitData, options: FitOptions = {}): Promise<void> {
    this.checkUsable();
    const started = performance.now();
    const { factors, alpha, regularization } = this.options;
    const interactions = normalizeFitData(data);
    const confidence = toConfidence(interactions, alpha);
    const itemUsers = confidence.transpose();
    const [nUsers, nItems] = confidence.shape;

    const seed = this.options.seed ?? Math.floor(Math.random() * 2 ** 32);
    const random = new Random(seed);
    const userFactors = initialFactors(nUsers, factors, random);
    const itemFactors = initialFactors(nItems, factors, random);
    const prepared = performance.now();

    const backend = await this.acquireBackend();
    await this.releaseScoring();
    const session = await backend.startFit({ userItems: confidence, itemUsers, factors, userFactors, itemFactors });
    try {
      this.losses = await runAlsIterations(session, { ...this.options, logger: this.logger, onIteration: options.onIteration });
      this.userFactors = await session.readFactors('users');
      this.itemFactors = await session.readFactors('items');
    } catch (error) {
      throw nameFailedRow(error, interactions);
    } finally {
      await session.dispose();
    }

    this.seed = seed;
    this.userIds = interactions.userIds;
    this.itemIds = interactions.itemIds;
    this.userItems = interactions.userItems;
    this.cache = new ScoringCache(backend, this.userFactors, this.itemFactors, factors);
    this.state = this.buildState(this.cache, interactions.userItems, regularization);
    this.logger.debug('fit done', {
      users: nUsers,
      items: nItems,
      nnz: confidence.nnz,
      prepareMs: prepared - started,
      totalMs: performance.now() - started,
      backend: this.backendInfo?.description,
    });
  }

  /** Returns the top n items for `userId`; see RecommendOptions. */
  async recommend(userId: ExternalId, options?: RecommendOptions): Promise<ScoredItem[]> {
    return recommendForUser(this.fitted(), userId, options);
  }

  /** Returns the top n items for each of `userIds` (all users when omitted) as one compact block; see BatchRecommendations. */
  async recommendBatch(userIds?: readonly ExternalId[], options?: RecommendBatchOptions): Promise<BatchRecommendations> {
    return recommendForUsers(this.fitted(), userIds, options);
  }

  /** Returns the items most similar to `itemId` by cosine of factors, the item itself included. */
  async similarItems(itemId: ExternalId, options?: SimilarItemsOptions): Promise<ScoredItem[]> {
    return similarItems(this.fitted(), itemId, options);
  }

  /** Returns the users most similar to `userId` by cosine of factors, the user itself included. */
  async similarUsers(userId: ExternalId, options?: SimilarUsersOptions): Promise<ScoredUser[]> {
    return similarUsers(this.fitted(), userId, options);
  }

  /**
   * Returns the factors of a user with the given items (ids, or [id, value] pairs). They come from one
   * exact ALS user step against the fitted item factors (see foldInUser), and the model is not changed.
   */
  recalculateUser(userItems: UserItems): Float32Array {
    const state = this.fitted();
    const parsed = parseCallOptions(userItemsSchema, userItems, 'recalculateUser');
    const row = resolveUserItems(parsed, state.itemIds, state.alpha);
    return foldInUser({ ...row, itemFactors: state.itemFactors, factors: state.factors, itemGram: state.itemGram(), regularization: state.regularization });
  }

  /** IndexRecommender: top n item indices per user index, leaving out row u of `exclude` for user u. */
  async recommendIndices(users: Uint32Array, options: IndexRecommendOptions): Promise<TopNResult> {
    return topNForUsers(this.fitted(), users, { n: options.n, exclude: options.exclude });
  }

  /** Releases scorers and, unless it came from options.backend, the backend. Safe to call twice. */
  async dispose(): Promise<void> {
    if (this.isDisposed) return;
    this.isDisposed = true;
    await this.releaseScoring();
    const selection = this.selection;
    this.selection = undefined;
    if (selection !== undefined) await (await selection).backend.dispose();
  }

  private async acquireBackend(): Promise<Backend> {
    const callerBackend = this.options.backend;
    if (callerBackend !== undefined) {
      this.backendInfo = { ...callerBackend.info, reason: 'the caller passed options.backend' };
      return callerBackend;
    }
    this.selection ??= selectBackend({ device: this.options.device, threads: this.options.threads, logger: this.logger });
    try {
      const { backend, reason } = await this.selection;
      this.backendInfo = { ...backend.info, reason };
      return backend;
    } catch (error) {
      this.selection = undefined;
      throw error;
    }
  }

  private buildState(cache: ScoringCache, userItems: CsrMatrix, regularization: number): FactorModelState {
    return {
      factors: this.options.factors,
      userFactors: this.userFactors,
      itemFactors: this.itemFactors,
      userIds: this.userIds,
      itemIds: this.itemIds,
      userItems,
      alpha: this.options.alpha,
      regularization,
      itemScorer: () => cache.itemScorer(),
      cosineItemScorer: () => cache.cosineItemScorer(),
      cosineUserScorer: () => cache.cosineUserScorer(),
      itemGram: () => cache.itemGram(),
    };
  }

  private async releaseScoring(): Promise<void> {
    const cache = this.cache;
    this.cache = undefined;
    this.state = undefined;
    await cache?.dispose();
  }

  private fitted(): FactorModelState {
    this.checkUsable();
    if (this.state === undefined) throw new InputError('not_fitted', 'the model is not fitted yet; call fit() before asking for recommendations');
    return this.state;
  }

  private checkUsable(): void {
    if (this.isDisposed) throw new InputError('model_disposed', 'the model was disposed; create a new AlternatingLeastSquares');
  }
}

/** Adds the external user or item id to a NumericError that names a row index; other errors pass through. */
function nameFailedRow(error: unknown, interactions: InteractionsLike): unknown {
  if (!(error instanceof NumericError) || typeof error.details.row !== 'number') return error;
  const isUser = error.details.side === 'users';
  const id = (isUser ? interactions.userIds : interactions.itemIds).idAt(error.details.row);
  return new NumericError(error.code, `${error.message} (${isUser ? 'user' : 'item'} id ${JSON.stringify(id)})`, { ...error.details, id }, { cause: error });
}
