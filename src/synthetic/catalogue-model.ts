// The planted item side of the synthetic data: Zipf-Mandelbrot popularity over a shuffled catalogue,
// a genre per item, and alias tables to draw items globally or within one genre.

import type { Random } from '../random.js';
import { AliasTables } from './alias-table.js';

export interface CatalogueModel {
  nItems: number;
  genres: number;
  /** Popularity rank of each item, 0 for the most popular. */
  itemRank: Uint32Array;
  /** Genre of each item, in [0, genres). */
  itemGenre: Uint16Array;
  /** Segment 0: every item by popularity. */
  global: AliasTables;
  /** Segment g: the items of genre g by popularity; local index k is genreItems[genreStart[g] + k]. */
  byGenre: AliasTables;
  genreItems: Uint32Array;
}

export interface CatalogueChoices {
  nItems: number;
  genres: number;
  /** s in weight(rank) = 1 / (rank + 1 + q)^s. */
  zipfExponent: number;
  /** q in weight(rank) = 1 / (rank + 1 + q)^s; flattens the head of the curve. */
  zipfOffset: number;
}

/**
 * Draws the catalogue: a random permutation assigns popularity ranks (so the item index reveals
 * nothing about popularity), each item gets a uniform random genre, and both samplers weight items by
 * 1 / (rank + 1 + q)^s (Zipf-Mandelbrot).
 */
export function drawCatalogue(choices: CatalogueChoices, random: Random): CatalogueModel {
  const { nItems, genres, zipfExponent, zipfOffset } = choices;

  // Fisher-Yates shuffle of the ranks.
  const itemRank = new Uint32Array(nItems);
  for (let item = 0; item < nItems; item++) itemRank[item] = item;
  for (let item = nItems - 1; item > 0; item--) {
    const other = random.nextInt(item + 1);
    const rank = itemRank[item];
    itemRank[item] = itemRank[other];
    itemRank[other] = rank;
  }

  const weights = new Float64Array(nItems);
  for (let item = 0; item < nItems; item++) weights[item] = (itemRank[item] + 1 + zipfOffset) ** -zipfExponent;
  const global = new AliasTables(weights, Uint32Array.of(0, nItems));

  const itemGenre = new Uint16Array(nItems);
  for (let item = 0; item < nItems; item++) itemGenre[item] = random.nextInt(genres);

  // Counting sort of items by genre, keeping item order within a genre.
  const genreStart = new Uint32Array(genres + 1);
  for (let item = 0; item < nItems; item++) genreStart[itemGenre[item] + 1]++;
  for (let genre = 0; genre < genres; genre++) genreStart[genre + 1] += genreStart[genre];
  const cursor = genreStart.slice(0, genres);
  const genreItems = new Uint32Array(nItems);
  const genreWeights = new Float64Array(nItems);
  for (let item = 0; item < nItems; item++) {
    const position = cursor[itemGenre[item]]++;
    genreItems[position] = item;
    genreWeights[position] = weights[item];
  }
  const byGenre = new AliasTables(genreWeights, genreStart);

  return { nItems, genres, itemRank, itemGenre, global, byGenre, genreItems };
}
