// Public API of the synthetic data generator.

export {
  generateLastfmLike,
  LASTFM_360K_ITEMS,
  LASTFM_360K_PAIRS,
  LASTFM_360K_USERS,
  type PlantedStructure,
  type SyntheticInteractions,
  type SyntheticOptions,
} from './generate-lastfm-like.js';
