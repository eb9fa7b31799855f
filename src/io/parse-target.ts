// The state a line parser writes into: the triplet builder, id interners, names and counts, and
// the policy for invalid lines.

import type { IdMap } from '../csr/id-map.js';
import type { InteractionStats } from '../csr/interactions.js';
import type { TripletBuilder } from '../csr/triplet-builder.js';
import { lineError } from './file-errors.js';

/**
 * Maps id bytes to IdMap indices, adding new ids: KeyInterner in TypeScript, or KernelKeyInterner
 * over the WebAssembly fast path's tables.
 */
export interface IdInterner {
  readonly ids: IdMap;
  /** True when the key of the last `intern` call was new to this interner. */
  readonly missedCache: boolean;
  /** Returns the index of the id spelled by UTF-8 bytes `bytes[start..end)`, adding the id when new. */
  intern(bytes: Uint8Array, start: number, end: number): number;
}

export interface ParseTarget {
  /** The path as the caller gave it, for messages. */
  path: string;
  builder: TripletBuilder;
  users: IdInterner;
  items: IdInterner;
  /** Display names by item index, filled when the format has a name column; undefined otherwise. */
  itemNames: string[] | undefined;
  stats: InteractionStats;
  /** true: invalid lines are counted and skipped; false: the first one throws. */
  skipInvalidLines: boolean;
  /** true: values are ignored and every accepted line counts 1. */
  binary: boolean;
}

/** Throws InputError `invalid_file` for line `lineNumber`, or counts and skips it when the target allows. */
export function rejectLine(target: ParseTarget, lineNumber: number, problem: string, details: Record<string, unknown> = {}): void {
  const error = lineError(target.path, lineNumber, problem, details);
  if (!target.skipInvalidLines) throw error;
  target.stats.invalidLinesSkipped++;
  target.stats.firstInvalidLine ??= error.message;
}
