// Public entry of als/: the model, its fit loop and fold-in.

export { AlternatingLeastSquares, type FitOptions, type ModelBackendInfo } from './model.js';
export { runAlsIterations, type FitLoopOptions, type IterationInfo } from './fit-loop.js';
export { foldInUser, type FoldInInput } from './fold-in.js';
export { INITIAL_FACTOR_SCALE, initialFactors } from './init-factors.js';
export { normalizeFitData, toConfidence, type FitData, type InteractionsLike } from './input.js';
export type { AlsOptions } from '../options.js';
export { explainScore, type Contribution, type ExplainOptions, type Explanation } from './explain.js';
export type { LoadModelOptions } from './model-contents.js';
