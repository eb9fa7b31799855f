// Public API of evaluate/: train/test splits and ranking metrics at K.

export { leaveKOutSplit, trainTestSplit, type LeaveKOutSplitOptions, type TrainTestSplitOptions } from './split.js';
export type { TrainTestMatrices } from './partition.js';
export {
  aucAtK,
  meanAveragePrecisionAtK,
  ndcgAtK,
  precisionAtK,
  rankingMetricsAtK,
  recallAtK,
  type RankingMetricsOptions,
} from './metrics.js';
export type { RankingMetrics } from './ranking-accumulator.js';
export type { EvaluationProgress } from './options.js';
