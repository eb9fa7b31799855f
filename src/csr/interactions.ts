// The result of loading or generating a data set: id maps, the users x items matrix and load counts.

import type { CsrMatrix } from './csr-matrix.js';
import type { IdMap } from './id-map.js';

/** Counts collected while reading a data set. A generator reports 0 for the line counts. */
export interface InteractionStats {
  /** Lines read, of every kind, not counting an empty remainder after the final newline. */
  lines: number;
  /** Lines accepted as interactions, before duplicates were summed. */
  rows: number;
  /** Lines whose value was exactly 0; they add no entry and no user or item id. */
  zeroValuesDropped: number;
  /** Accepted lines whose (user, item) cell had already appeared, so their value was added to it. */
  duplicatesSummed: number;
  /** Lines that were empty or contained only spaces and tabs. */
  blankLines: number;
  /** Lines starting with the comment character: `#` in delimited files, `%` in MatrixMarket. */
  commentLines: number;
  /** Column-name lines of delimited files, and the banner and size lines of MatrixMarket files. */
  headerLines: number;
  /** Invalid lines left out because the caller chose `invalidLines: 'skip'`, else 0. */
  invalidLinesSkipped: number;
  /** The error message of the first skipped invalid line, when there was one. */
  firstInvalidLine?: string;
}

/**
 * Interactions between users and items in one id space.
 * `userItems` has one row per user id and one column per item id, in the maps' index order,
 * with duplicates summed and column indices sorted within each row.
 */
export interface Interactions {
  userIds: IdMap;
  itemIds: IdMap;
  /** nUsers x nItems. A stored value is the summed interaction strength, for example a play count. */
  userItems: CsrMatrix;
  /**
   * Display name of each item, by item index, for formats that carry names (Last.fm artist names).
   * Absent when the format has no names, in which case the item id is the name to show.
   */
  itemNames?: string[];
  stats: InteractionStats;
}

/** Returns stats with every count at 0. */
export function emptyStats(): InteractionStats {
  return {
    lines: 0,
    rows: 0,
    zeroValuesDropped: 0,
    duplicatesSummed: 0,
    blankLines: 0,
    commentLines: 0,
    headerLines: 0,
    invalidLinesSkipped: 0,
  };
}
