// AlternatingLeastSquares: implicit-feedback matrix factorisation (Hu, Koren and Volinsky, 2008), fitted
// on whichever backend device selection picks, with recommendation methods on the fitted factors.

import type { Backend, BackendInfo, TopNRequest, TopNResult } from '../backends/backend.js';
import { selectBackend, type BackendSelection } from '../backends/select.js';
import type { CsrMatrix } from '../csr/csr-matrix.js';
import { IdMap, type ExternalId } from '../csr/id-map.js';
import { InputError, NumericError } from '../errors.js';
import { readModelFile, writeModelFile, type ModelFileContents } from '../io/model-file/index.js';
import { readImplicitNpz, writeImplicitNpz } from '../io/npz/index.js';
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
import { similarItems, similarItemsTopN, similarUsers } from '../recommend/similar.js';
import type { IndexRecommender, IndexRecommendOptions } from '../recommend/types.js';
import { explainScore, type ExplainOptions, type Explanation } from './explain.js';
import type { IterationInfo } from './fit-loop.js';
import { runRecoverableFit } from './recoverable-fit.js';
import { foldInUser } from './fold-in.js';
import { buildFitProblem } from './fit-problem.js';
import { normalizeFitData, writeConfidence, type FitData, type InteractionsLike } from './input.js';
import { type LoadModelOptions, modelOptionsFromContents, modelOptionsFromSaved, savedOptionsOf } from './model-contents.js';
import { partialFit } from './partial-fit.js';
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
  /**
   * nUsers x factors, row-major; empty before fit. After a fit on the CPU backend it lies in the
   * backend's shared memory and is valid until the next fit or dispose(). Copy it to keep it longer.
   */
  userFactors: Float32Array = new Float32Array(0);
  /** nItems x factors, row-major; empty before fit. Valid as long as userFactors is. */
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
  /**
   * Factors that live in the backend's memory: the last fit's final factors (see FitSession.takeFactors)
   * or the item factors that load() read there. They are freed by the next fit or by dispose().
   */
  private fitFactors: { backend: Backend; arrays: Float32Array[] } | undefined;
  /** Origin of the factors, recorded in saved files: 'osusume fit', or the file they were loaded from. */
  private source = 'osusume fit';
  /** Closes the model file that load() keeps open for the training values it has not read yet. */
  private closeFile: (() => Promise<void>) | undefined;

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
    // Check every confidence before the previous fit is released, so bad input leaves it usable.
    writeConfidence(interactions, alpha);
    const [nUsers, nItems] = interactions.userItems.shape;
    const seed = this.options.seed ?? Math.floor(Math.random() * 2 ** 32);

    const backend = await this.acquireBackend();
    await this.releaseScoring();
    this.releaseFitFactors();
    const { problem, allocated } = buildFitProblem({ interactions, alpha, factors, random: new Random(seed), backend });
    const prepared = performance.now();

    let fitBackend = backend;
    // The session updates lent initial factors in place, so they can come back as the final factors.
    let finalFactors: Float32Array[] = [];
    try {
      const result = await runRecoverableFit({
        backend,
        problem,
        loop: { ...this.options, logger: this.logger, onIteration: options.onIteration },
        replaceBackend: this.canReplaceLostDevice(backend) ? () => this.replaceLostDevice(backend) : undefined,
      });
      fitBackend = result.backend;
      this.losses = result.losses;
      this.userFactors = result.userFactors;
      this.itemFactors = result.itemFactors;
      finalFactors = [result.userFactors, result.itemFactors];
      this.fitFactors = { backend: fitBackend, arrays: finalFactors };
    } catch (error) {
      throw nameFailedRow(error, interactions);
    } finally {
      for (const array of allocated) if (!finalFactors.includes(array as Float32Array)) backend.releaseFitArray?.(array);
    }

    this.seed = seed;
    this.userIds = interactions.userIds;
    this.itemIds = interactions.itemIds;
    this.userItems = interactions.userItems;
    this.cache = new ScoringCache(fitBackend, this.userFactors, this.itemFactors, factors);
    this.state = this.buildState(this.cache, interactions.userItems, regularization);
    this.logger.debug('fit done', {
      users: nUsers,
      items: nItems,
      nnz: interactions.userItems.nnz,
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

  /**
   * Splits the score of `itemId` for `userId` into per-item contributions (Hu, Koren and Volinsky 2008,
   * section 5); see explainScore. The score equals recommend() with recalculateUser for the same items.
   */
  explain(userId: ExternalId, itemId: ExternalId, options?: ExplainOptions): Explanation {
    return explainScore(this.fitted(), userId, itemId, options);
  }

  /**
   * Adds or updates users: rows[k] lists the items of userIds[k] (ids, or [id, value] pairs). Each user's
   * factors are solved exactly against the fixed item factors; new ids are appended. The training rows
   * are replaced, and the scorers and Gram matrix are rebuilt from the new factors.
   */
  async partialFitUsers(userIds: readonly ExternalId[], rows: readonly UserItems[]): Promise<void> {
    const result = partialFit(this.fitted(), 'user', userIds, rows);
    await this.install({ ...this.currentParts(), userFactors: result.factors, userIds: result.ids, userItems: result.userItems });
  }

  /**
   * Adds or updates items: rows[k] lists the users of itemIds[k] (ids, or [id, value] pairs), solved
   * exactly against the fixed user factors (computing X^T X once per call). New ids are appended; the
   * item's training column is replaced, and every scorer, norm and Gram matrix is rebuilt.
   */
  async partialFitItems(itemIds: readonly ExternalId[], rows: readonly UserItems[]): Promise<void> {
    const result = partialFit(this.fitted(), 'item', itemIds, rows);
    await this.install({ ...this.currentParts(), itemFactors: result.factors, itemIds: result.ids, userItems: result.userItems });
  }

  /**
   * Scores query factor rows (nQueries x factors, row-major) against every item on the model's backend
   * and keeps each query's top n, in one batched call (see TopNRequest). Servers use it to coalesce requests.
   */
  async scoreTopN(request: TopNRequest): Promise<TopNResult> {
    const scorer = await this.fitted().itemScorer();
    return scorer.topN(request);
  }

  /**
   * Writes the fitted model to one binary file (factors, ids, training matrix, options), atomically.
   * Load it with AlternatingLeastSquares.load(); recommendations are identical.
   */
  async save(path: string): Promise<void> {
    await writeModelFile(path, this.toContents());
  }

  /** Writes the factors as the .npz that the Python library implicit loads (AlternatingLeastSquares.load). */
  async saveImplicit(path: string, options?: { includeIds?: boolean }): Promise<void> {
    await writeImplicitNpz(path, this.toContents(), options);
  }

  /** Returns the fitted arrays, ids and options as stored in model files (views, not copies). */
  toContents(): ModelFileContents {
    const state = this.fitted();
    return {
      options: savedOptionsOf(this.options),
      userFactors: state.userFactors,
      itemFactors: state.itemFactors,
      userItems: state.userItems,
      userIds: state.userIds,
      itemIds: state.itemIds,
      training: { seed: this.seed, losses: this.losses, backend: this.backendInfo?.description, source: this.source },
    };
  }

  /**
   * Reads a model file written by save() and starts its backend. Model options come from the file;
   * `options` sets the runtime choices (device, threads, logger, backend) and checksum verification.
   * Throws InputError naming the file and section for damaged, truncated or foreign files.
   */
  static async load(path: string, options: LoadModelOptions = {}): Promise<AlternatingLeastSquares> {
    let model: AlternatingLeastSquares | undefined;
    try {
      const contents = await readModelFile(path, {
        verify: options.verify,
        // Serving filters with the training matrix's structure only, so its values stay in the file. The
        // model keeps the file open until dispose() for explain, fold-in of known users, partial fits and save.
        deferValues: true,
        // Once the header gives the options, start the backend and read the item factors straight into
        // its memory where it offers some (the CPU arena), so its scorer uses them without a copy.
        allocateItemFactors: async (length, saved) => {
          model = new AlternatingLeastSquares(modelOptionsFromSaved(saved, options));
          const backend = await model.acquireBackend();
          const itemFactors = backend.allocateFitArray?.(Float32Array, length);
          if (itemFactors !== undefined) model.fitFactors = { backend, arrays: [itemFactors] };
          return itemFactors;
        },
      });
      model ??= new AlternatingLeastSquares(modelOptionsFromContents(contents, options));
      model.closeFile = contents.close;
      await model.adoptContents(contents, path);
      return model;
    } catch (error) {
      await model?.dispose();
      throw error;
    }
  }

  /** Reads an .npz saved by implicit's AlternatingLeastSquares.save() (see readImplicitNpz) and starts its backend. */
  static async loadImplicit(path: string, options: LoadModelOptions = {}): Promise<AlternatingLeastSquares> {
    return AlternatingLeastSquares.fromContents(await readImplicitNpz(path), options, path);
  }

  /** Creates a fitted model from stored contents (factors, ids, training matrix, options). */
  static async fromContents(contents: ModelFileContents, options: LoadModelOptions = {}, source?: string): Promise<AlternatingLeastSquares> {
    const model = new AlternatingLeastSquares(modelOptionsFromContents(contents, options));
    try {
      await model.adoptContents(contents, source);
    } catch (error) {
      await model.dispose();
      throw error;
    }
    return model;
  }

  /** Takes the training summary and arrays of stored contents; `source` names the file they came from. */
  private async adoptContents(contents: ModelFileContents, source: string | undefined): Promise<void> {
    this.seed = contents.training.seed;
    this.losses = [...contents.training.losses];
    this.source = source === undefined ? contents.training.source : `${contents.training.source} (${source})`;
    await this.install(contents);
  }

  /** IndexRecommender: top n item indices per user index, leaving out row u of `exclude` for user u. */
  async recommendIndices(users: Uint32Array, options: IndexRecommendOptions): Promise<TopNResult> {
    return topNForUsers(this.fitted(), users, { n: options.n, exclude: options.exclude });
  }

  /**
   * Computes Y^T Y now (see ScoringCache.prepareItemGram), so the first fold-in (recalculateUser,
   * recommend with items) or explain does not compute it. Servers call it before they report ready.
   */
  async prepareFoldIn(): Promise<void> {
    this.fitted();
    await this.cache?.prepareItemGram();
  }

  /**
   * Ranks every item by cosine similarity to each of `items` (item indices) in one batched scorer call.
   * Row k of the result is items[k]'s top n. Servers use it to coalesce similar-item requests.
   */
  async similarItemsTopN(items: Uint32Array, n: number): Promise<TopNResult> {
    return similarItemsTopN(this.fitted(), items, n);
  }

  /**
   * Releases scorers, the fitted factors, the model file a load() kept open and, unless it came from
   * options.backend, the backend. The userFactors and itemFactors arrays must not be read afterwards.
   * Safe to call twice.
   */
  async dispose(): Promise<void> {
    if (this.isDisposed) return;
    this.isDisposed = true;
    await this.releaseScoring();
    this.releaseFitFactors();
    const closeFile = this.closeFile;
    this.closeFile = undefined;
    await closeFile?.();
    const selection = this.selection;
    this.selection = undefined;
    if (selection !== undefined) await (await selection).backend.dispose();
  }

  /** Returns true when a lost GPU device may be replaced by the CPU: only when this model chose the device itself with 'auto'. */
  private canReplaceLostDevice(backend: Backend): boolean {
    return this.options.device === 'auto' && this.options.backend === undefined && backend.info.kind === 'webgpu';
  }

  /** Swaps the lost WebGPU backend for the CPU workers, for this fit and everything after it. */
  private async replaceLostDevice(lost: Backend): Promise<Backend> {
    const selection = await selectBackend({ device: 'cpu', threads: this.options.threads, logger: this.logger });
    const reason = 'device "auto" moved to the CPU after the WebGPU device was lost';
    this.selection = Promise.resolve({ backend: selection.backend, reason });
    this.backendInfo = { ...selection.backend.info, reason };
    await lost.dispose().catch(() => undefined);
    return selection.backend;
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

  /**
   * Replaces factors, ids and the training matrix, and builds a new scoring cache (scorers, norms, Gram
   * matrix) for them. The old cache is disposed after the swap; requests already holding its scorer finish on it.
   */
  private async install(parts: Pick<ModelFileContents, 'userFactors' | 'itemFactors' | 'userIds' | 'itemIds' | 'userItems'>): Promise<void> {
    const backend = await this.acquireBackend();
    const previous = this.cache;
    this.userFactors = parts.userFactors;
    this.itemFactors = parts.itemFactors;
    this.userIds = parts.userIds;
    this.itemIds = parts.itemIds;
    this.userItems = parts.userItems;
    this.cache = new ScoringCache(backend, parts.userFactors, parts.itemFactors, this.options.factors);
    this.state = this.buildState(this.cache, parts.userItems, this.options.regularization);
    await previous?.dispose();
  }

  private currentParts(): Pick<ModelFileContents, 'userFactors' | 'itemFactors' | 'userIds' | 'itemIds' | 'userItems'> {
    const state = this.fitted();
    return { userFactors: state.userFactors, itemFactors: state.itemFactors, userIds: state.userIds, itemIds: state.itemIds, userItems: state.userItems };
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

  /** Frees the last fit's factors held in backend memory, clearing the fields that still point at them. */
  private releaseFitFactors(): void {
    const inBackend = this.fitFactors;
    this.fitFactors = undefined;
    if (inBackend === undefined) return;
    if (inBackend.arrays.includes(this.userFactors)) this.userFactors = new Float32Array(0);
    if (inBackend.arrays.includes(this.itemFactors)) this.itemFactors = new Float32Array(0);
    for (const array of inBackend.arrays) inBackend.backend.releaseFitArray?.(array);
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
