// Deterministic synthetic play counts shaped like Last.fm 360K, with planted genres, so benchmarks and
// tests can run at full size without the real data and a factor model has structure to find.

import { z } from 'zod';
import { CsrMatrix } from '../csr/csr-matrix.js';
import { IdMap } from '../csr/id-map.js';
import { emptyStats, type Interactions } from '../csr/interactions.js';
import { invariant } from '../errors.js';
import { Random } from '../random.js';
import { parseOrThrow } from '../validate.js';
import { drawCatalogue } from './catalogue-model.js';
import { drawUserActivity, drawUserRows } from './user-rows.js';

/**
 * Full-scale sizes: the users x artist-name matrix of Last.fm 360K and its stored values.
 * NOTE: these are the commonly quoted sizes of that matrix; they were not recomputed from the real file here.
 */
export const LASTFM_360K_USERS = 358_868;
export const LASTFM_360K_ITEMS = 292_385;
export const LASTFM_360K_PAIRS = 17_535_655;

/** Spread of log item counts per user; 0.9 puts the 99th percentile near 8 times the median. */
const ACTIVITY_SIGMA = 0.9;
/** A user has at most this fraction of the catalogue, so distinct draws stay cheap at small scales. */
const MAX_CATALOGUE_SHARE_PER_USER = 0.5;

const optionsSchema = z
  .object({
    scale: z.number({ error: 'expected a number in (0, 1]' }).gt(0, { error: 'expected a number in (0, 1]' }).max(1, { error: 'expected a number in (0, 1]' }).default(1),
    seed: z.number({ error: 'expected an integer seed' }).int({ error: 'expected an integer seed' }).default(42),
    genres: z.number({ error: 'expected an integer in [1, 4096]' }).int({ error: 'expected an integer in [1, 4096]' }).min(1, { error: 'expected an integer in [1, 4096]' }).max(4096, { error: 'expected an integer in [1, 4096]' }).default(64),
    homeGenreShare: z.number({ error: 'expected a number in [0, 1]' }).min(0, { error: 'expected a number in [0, 1]' }).max(1, { error: 'expected a number in [0, 1]' }).default(0.5),
    zipfExponent: z.number({ error: 'expected a number in (0, 4]' }).gt(0, { error: 'expected a number in (0, 4]' }).max(4, { error: 'expected a number in (0, 4]' }).default(1.1),
    zipfOffset: z.number({ error: 'expected a number in [0, 10000]' }).min(0, { error: 'expected a number in [0, 10000]' }).max(10_000, { error: 'expected a number in [0, 10000]' }).default(40),
  })
  .strict();

export interface SyntheticOptions {
  /** Fraction of the full Last.fm 360K size, in (0, 1]; users, items and pairs shrink together. Default 1. */
  scale?: number;
  /** Seed of the generator; the same seed and options give identical arrays. Default 42. */
  seed?: number;
  /** Number of planted genres, in [1, 4096], at most the number of items. Default 64. */
  genres?: number;
  /** Probability that a user's item is drawn from the user's home genre rather than by global popularity. Default 0.5. */
  homeGenreShare?: number;
  /** s of the Zipf-Mandelbrot item popularity 1 / (rank + 1 + q)^s. Default 1.1. */
  zipfExponent?: number;
  /** q of the Zipf-Mandelbrot item popularity. Default 40. */
  zipfOffset?: number;
}

/** The structure the generator planted, for tests that check a model recovers it. */
export interface PlantedStructure {
  genres: number;
  /** Home genre of each user. */
  userGenre: Uint16Array;
  /** Genre of each item. */
  itemGenre: Uint16Array;
  /** Popularity rank of each item, 0 for the most popular. */
  itemRank: Uint32Array;
}

export interface SyntheticInteractions extends Interactions {
  planted: PlantedStructure;
}

/**
 * Generates Last.fm 360K-shaped implicit feedback: round(358,868 * scale) users "u0"... and
 * round(292,385 * scale) items "i0"... with exactly round(17,535,655 * scale) distinct (user, item)
 * pairs (fewer at tiny scales, where a user may hold at most half the catalogue).
 *
 * Items have Zipf-Mandelbrot popularity and one of `genres` genres. Users have log-normal item counts
 * (mean about 49, like Last.fm) and a home genre that supplies about `homeGenreShare` of their items.
 * Values are heavy-tailed integer play counts. Row indices are sorted. Everything derives from `seed`.
 * Below scale 0.05 a genre has under 230 items, so heavy users cannot take their full share from it.
 * Pass fewer `genres` there to keep the home share near `homeGenreShare`.
 * Throws InputError `invalid_option` for out-of-range options.
 *
 * @example
 * const { userItems, planted } = generateLastfmLike({ scale: 0.05, seed: 7 });
 */
export function generateLastfmLike(options: SyntheticOptions = {}): SyntheticInteractions {
  const parsed = parseOrThrow(optionsSchema, options, 'generateLastfmLike options', (path) => (path === '' ? 'options' : path));
  const nUsers = Math.max(1, Math.round(LASTFM_360K_USERS * parsed.scale));
  const nItems = Math.max(1, Math.round(LASTFM_360K_ITEMS * parsed.scale));
  const genres = Math.min(parsed.genres, nItems);
  const maxPerUser = Math.max(1, Math.floor(nItems * MAX_CATALOGUE_SHARE_PER_USER));
  const targetPairs = Math.min(nUsers * maxPerUser, Math.max(nUsers, Math.round(LASTFM_360K_PAIRS * parsed.scale)));
  const random = new Random(parsed.seed);

  const catalogue = drawCatalogue({ nItems, genres, zipfExponent: parsed.zipfExponent, zipfOffset: parsed.zipfOffset }, random);
  const userGenre = new Uint16Array(nUsers);
  for (let user = 0; user < nUsers; user++) userGenre[user] = random.nextInt(genres);
  const counts = drawUserActivity(nUsers, targetPairs, maxPerUser, ACTIVITY_SIGMA, random);
  const rows = drawUserRows(catalogue, userGenre, counts, parsed.homeGenreShare, random);

  const userItems = new CsrMatrix({ ...rows, shape: [nUsers, nItems] }, { validate: false });
  const stats = emptyStats();
  stats.rows = userItems.nnz;
  return {
    userIds: prefixedIds('u', nUsers),
    itemIds: prefixedIds('i', nItems),
    userItems,
    stats,
    planted: { genres, userGenre, itemGenre: catalogue.itemGenre, itemRank: catalogue.itemRank },
  };
}

/**
 * Returns the ids prefix + "0", prefix + "1", ... packed (see IdMap.fromPacked). Their bytes are written
 * straight into one blob, so no string is made per id. As strings in a Map, the 650,000 ids of the full
 * scale added about 30 MiB to the peak RSS of the full-size bench.
 */
function prefixedIds(prefix: string, count: number): IdMap {
  const offsets = new Uint32Array(count + 1);
  let byteLength = 0;
  for (let index = 0; index < count; index++) {
    byteLength += prefix.length + decimalDigits(index);
    offsets[index + 1] = byteLength;
  }
  const bytes = new Uint8Array(byteLength);
  for (let index = 0; index < count; index++) {
    const start = offsets[index];
    for (let k = 0; k < prefix.length; k++) bytes[start + k] = prefix.charCodeAt(k);
    // Digits are written from the last one back, so no string is built for the number.
    let rest = index;
    for (let position = offsets[index + 1] - 1; position >= start + prefix.length; position--) {
      bytes[position] = 0x30 + (rest % 10);
      rest = Math.floor(rest / 10);
    }
  }
  const ids = IdMap.fromPacked(offsets, bytes);
  invariant(ids !== undefined, `the synthetic ids ${prefix}0.. are not distinct ASCII`);
  return ids;
}

function decimalDigits(value: number): number {
  let digits = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  return digits;
}
