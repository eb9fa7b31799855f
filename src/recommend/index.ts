// Public entry of recommend/: top-N by external id, batches, similar items and users.

export { batchRow, recommendForUser, recommendForUsers, type BatchRecommendations } from './recommend.js';
export { BATCH_USERS, topNForUsers, type UsersTopNOptions } from './batch.js';
export { similarItems, similarUsers, unitRows } from './similar.js';
export type { CosineScorer, FactorModelState } from './model-state.js';
export type { ScoredItem, ScoredUser } from './scored.js';
export type { IndexRecommender, IndexRecommendOptions } from './types.js';
