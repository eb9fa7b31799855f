// The contents of a model file, independent of the model class that reads or writes it.

import type { CsrMatrix } from '../../csr/csr-matrix.js';
import type { IdMap } from '../../csr/id-map.js';
import type { SavedOptions, TrainingSummary } from './format.js';

/** The arrays and facts of one fitted ALS model. */
export interface ModelFileContents {
  options: SavedOptions;
  /** nUsers x factors, row-major. */
  userFactors: Float32Array;
  /** nItems x factors, row-major. */
  itemFactors: Float32Array;
  /** nUsers x nItems training interactions (values before weighting), used to filter already-liked items. */
  userItems: CsrMatrix;
  userIds: IdMap;
  itemIds: IdMap;
  training: TrainingSummary;
  /**
   * Closes the model file. Present only when readModelFile's deferValues kept the file open for values
   * read on first use, so read userItems.data before calling it if the values are still needed.
   */
  close?: () => Promise<void>;
}
