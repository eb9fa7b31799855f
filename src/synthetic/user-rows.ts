// The planted user side of the synthetic data: how many items each user has (log-normal), which items
// (half from the home genre, half by global popularity, no repeats) and how often each was played.

import { sortRowSegment } from '../csr/row-sort.js';
import type { Random } from '../random.js';
import type { CatalogueModel } from './catalogue-model.js';

/** Draws per source and item slot before falling back to the next source for an item the user does not have yet. */
const MAX_DRAWS = 32;
/** Play counts stay at or below this, so float32 represents every count exactly (2^24 = 16.8M). */
const MAX_PLAYS = 1_000_000;
/** Tail index of the Pareto factor of play counts. Below 2 the variance is infinite, which gives a heavy tail. */
const PLAYS_TAIL_INDEX = 1.2;
/** Median of the per-user play scale. */
const PLAYS_SCALE = 20;

/**
 * Returns item counts per user that sum to exactly `targetPairs`: log-normal draws exp(sigma * z),
 * scaled to the target, rounded and clamped to [1, maxPerUser], then nudged by +-1 on random users.
 * `targetPairs` must lie in [nUsers, nUsers * maxPerUser].
 */
export function drawUserActivity(nUsers: number, targetPairs: number, maxPerUser: number, sigma: number, random: Random): Uint32Array {
  const raw = new Float64Array(nUsers);
  let total = 0;
  for (let user = 0; user < nUsers; user++) {
    raw[user] = Math.exp(sigma * random.nextGaussian());
    total += raw[user];
  }

  const counts = new Uint32Array(nUsers);
  let assigned = 0;
  for (let user = 0; user < nUsers; user++) {
    counts[user] = Math.min(maxPerUser, Math.max(1, Math.round((raw[user] * targetPairs) / total)));
    assigned += counts[user];
  }

  // Rounding and clamping leave the sum off by a small fraction; fix it one pair at a time.
  let difference = targetPairs - assigned;
  while (difference !== 0) {
    const user = random.nextInt(nUsers);
    if (difference > 0 && counts[user] < maxPerUser) {
      counts[user]++;
      difference--;
    } else if (difference < 0 && counts[user] > 1) {
      counts[user]--;
      difference++;
    }
  }
  return counts;
}

/** The users x items arrays of the generated matrix, rows sorted, no duplicates. */
export interface DrawnRows {
  indptr: Uint32Array;
  indices: Uint32Array;
  data: Float32Array;
}

/**
 * Draws counts[u] distinct items for every user u. Each draw comes from the user's home genre with
 * probability `homeShare` (weighted by popularity within the genre), otherwise from the global
 * popularity distribution. An item the user already has is redrawn. Play counts are
 * ceil(userScale * pareto), with a log-normal userScale per user and a Pareto(1.2) factor per item.
 */
export function drawUserRows(catalogue: CatalogueModel, userGenre: Uint16Array, counts: Uint32Array, homeShare: number, random: Random): DrawnRows {
  const nUsers = counts.length;
  const indptr = new Uint32Array(nUsers + 1);
  for (let user = 0; user < nUsers; user++) indptr[user + 1] = indptr[user] + counts[user];
  const nnz = indptr[nUsers];
  const indices = new Uint32Array(nnz);
  const data = new Float32Array(nnz);
  // owner[item] === user + 1 marks items user already has, so no per-user set is needed.
  const owner = new Int32Array(catalogue.nItems);

  for (let user = 0; user < nUsers; user++) {
    const genre = userGenre[user];
    const hasHome = catalogue.byGenre.segmentSize(genre) > 0;
    const playScale = PLAYS_SCALE * Math.exp(0.8 * random.nextGaussian());
    for (let k = indptr[user]; k < indptr[user + 1]; k++) {
      const item = drawNewItem(catalogue, genre, hasHome ? homeShare : 0, owner, user + 1, random);
      owner[item] = user + 1;
      indices[k] = item;
      const pareto = (1 - random.next()) ** (-1 / PLAYS_TAIL_INDEX);
      data[k] = Math.min(MAX_PLAYS, Math.ceil(playScale * pareto));
    }
    sortRowSegment(indices, data, indptr[user], indptr[user + 1]);
  }
  return { indptr, indices, data };
}

function drawNewItem(catalogue: CatalogueModel, genre: number, homeShare: number, owner: Int32Array, mark: number, random: Random): number {
  const { byGenre, global, genreItems } = catalogue;
  // The source is chosen once per slot, so redraws after a repeat do not shift items from the home
  // genre to the global distribution.
  if (random.next() < homeShare) {
    const genreStart = byGenre.segmentStart[genre];
    for (let draw = 0; draw < MAX_DRAWS; draw++) {
      const item = genreItems[genreStart + byGenre.sample(genre, random)];
      if (owner[item] !== mark) return item;
    }
  }
  for (let draw = 0; draw < MAX_DRAWS; draw++) {
    const item = global.sample(0, random);
    if (owner[item] !== mark) return item;
  }

  // The user already has most of the likely items (only at tiny scales): take the next free one.
  const nItems = catalogue.nItems;
  let item = random.nextInt(nItems);
  while (owner[item] === mark) item = (item + 1) % nItems;
  return item;
}
