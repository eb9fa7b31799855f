// The public API of osusume. Everything a caller needs is exported here; deeper paths are internal.

export {
  AlternatingLeastSquares,
  foldInUser,
  type AlsOptions,
  type Contribution,
  type ExplainOptions,
  type Explanation,
  type FitOptions,
  type IterationInfo,
  type LoadModelOptions,
  type ModelBackendInfo,
} from './als/index.js';

export {
  bm25Weight,
  confidenceWeight,
  CsrMatrix,
  csrFromTriplets,
  IdMap,
  tfidfWeight,
  TripletBuilder,
  type Bm25Options,
  type CsrParts,
  type ExternalId,
  type Interactions,
  type InteractionStats,
} from './csr/index.js';

export {
  datasetCatalogue,
  interactionFormats,
  loadInteractions,
  loadTrainTest,
  type DatasetEntry,
  type InteractionFormat,
  type LoadOptions,
  type LoadedInteractions,
  type TrainTestInteractions,
} from './io/index.js';
export { fetchDataset, listDatasets, loadDatasetCache, readCsrCache, writeCsrCache, type FetchDatasetOptions, type FetchedDataset } from './io/datasets/index.js';
export { readImplicitHdf5, type ImplicitHdf5Options } from './io/hdf5/index.js';
export { readModelFile, writeModelFile, type ModelFileContents, type ReadModelFileOptions } from './io/model-file/index.js';
export { readImplicitNpz, writeImplicitNpz } from './io/npz/index.js';

export { generateLastfmLike, type SyntheticInteractions, type SyntheticOptions } from './synthetic/index.js';

export {
  aucAtK,
  leaveKOutSplit,
  meanAveragePrecisionAtK,
  ndcgAtK,
  precisionAtK,
  rankingMetricsAtK,
  recallAtK,
  trainTestSplit,
  type RankingMetrics,
  type RankingMetricsOptions,
  type TrainTestMatrices,
} from './evaluate/index.js';

export { MostPopular } from './recommend/most-popular.js';
export { batchRow, type BatchRecommendations, type IndexRecommender, type ScoredItem, type ScoredUser } from './recommend/index.js';

export type { AdapterSummary, Backend, BackendInfo, DeviceKind, TopNResult } from './backends/backend.js';
export { DeviceError, InputError, InvariantError, NumericError } from './errors.js';
export { createConsoleLogger, silentLogger, type Logger, type LogLevel } from './log.js';
