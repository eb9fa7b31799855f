import { describe, expect, it } from 'vitest';
import { validateCsr } from '../../src/csr/csr-matrix.js';
import { InputError } from '../../src/errors.js';
import { Random } from '../../src/random.js';
import { generateLastfmLike, LASTFM_360K_ITEMS, LASTFM_360K_PAIRS, LASTFM_360K_USERS } from '../../src/synthetic/index.js';

/** Index of the first element where `a` and `b` differ, or -1 when they are equal (lengths included). */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const length = Math.min(a.length, b.length);
  for (let k = 0; k < length; k++) if (a[k] !== b[k]) return k;
  return a.length === b.length ? -1 : length;
}

describe('generateLastfmLike', () => {
  const small = generateLastfmLike({ scale: 0.01, seed: 5 });

  it('scales users, items and pairs together', () => {
    expect(small.userItems.shape).toEqual([Math.round(LASTFM_360K_USERS * 0.01), Math.round(LASTFM_360K_ITEMS * 0.01)]);
    expect(small.userItems.shape).toEqual([3589, 2924]);
    expect(small.userItems.nnz).toBe(Math.round(LASTFM_360K_PAIRS * 0.01));
    expect(small.userIds.size).toBe(3589);
    expect(small.itemIds.size).toBe(2924);
    expect(small.userIds.idAt(0)).toBe('u0');
    expect(small.itemIds.idAt(2923)).toBe('i2923');
    expect(small.stats.rows).toBe(small.userItems.nnz);
  });

  it('names ids by prefix and index', () => {
    for (const index of [0, 9, 10, 99, 100, 999, 1000, 2923]) {
      expect(small.userIds.idAt(index)).toBe(`u${index}`);
      expect(small.userIds.find(`u${index}`)).toBe(index);
      expect(small.itemIds.idAt(index)).toBe(`i${index}`);
      expect(small.itemIds.find(`i${index}`)).toBe(index);
    }
    expect(small.userIds.find('u3589')).toBeUndefined();
    expect(small.userIds.find('i0')).toBeUndefined();
    expect(small.userIds.find('u01')).toBeUndefined();
    expect(small.userIds.toArray()).toEqual(Array.from({ length: 3589 }, (_, index) => `u${index}`));
  });

  it('repeats exactly for the same seed', () => {
    const again = generateLastfmLike({ scale: 0.01, seed: 5 });
    expect(firstDifference(again.userItems.indptr, small.userItems.indptr)).toBe(-1);
    expect(firstDifference(again.userItems.indices, small.userItems.indices)).toBe(-1);
    expect(firstDifference(again.userItems.data, small.userItems.data)).toBe(-1);
    expect(firstDifference(again.planted.userGenre, small.planted.userGenre)).toBe(-1);
    expect(firstDifference(again.planted.itemGenre, small.planted.itemGenre)).toBe(-1);
    expect(firstDifference(again.planted.itemRank, small.planted.itemRank)).toBe(-1);
  });

  it('differs for another seed', () => {
    const other = generateLastfmLike({ scale: 0.01, seed: 6 });
    expect(other.userItems.nnz).toBe(small.userItems.nnz);
    expect(firstDifference(other.userItems.indices, small.userItems.indices)).not.toBe(-1);
  });

  it('produces a valid CSR matrix of distinct positive integer play counts', () => {
    expect(() => validateCsr(small.userItems)).not.toThrow();
    const invalidPlays = small.userItems.data.filter((plays) => !Number.isInteger(plays) || plays < 1 || plays > 1_000_000);
    expect(invalidPlays.length).toBe(0);
    let emptyRows = 0;
    for (let user = 0; user < small.userItems.nRows; user++) if (small.userItems.rowLength(user) === 0) emptyRows++;
    expect(emptyRows).toBe(0);
  });

  it('keeps the mean near 49 items per user with a long tail', () => {
    const { nRows, nnz } = small.userItems;
    expect(nnz / nRows).toBeCloseTo(LASTFM_360K_PAIRS / LASTFM_360K_USERS, 0);
    const lengths = Array.from({ length: nRows }, (_, user) => small.userItems.rowLength(user)).sort((a, b) => a - b);
    const median = lengths[nRows >> 1];
    expect(median).toBeLessThan(nnz / nRows);
    expect(lengths[nRows - 1]).toBeGreaterThan(5 * median);
  });

  it('makes popular ranks popular', () => {
    const itemUsers = small.userItems.transpose();
    const byRank = new Array<number>(itemUsers.nRows);
    for (let item = 0; item < itemUsers.nRows; item++) byRank[small.planted.itemRank[item]] = itemUsers.rowLength(item);
    const head = byRank.slice(0, 20).reduce((sum, users) => sum + users, 0) / 20;
    const tail = byRank.slice(-1000).reduce((sum, users) => sum + users, 0) / 1000;
    expect(head).toBeGreaterThan(20 * tail);
  });

  it('draws about homeGenreShare of items from the home genre', () => {
    // 16 genres leave 183 items per genre at this scale, enough for heavy users to fill their share.
    const data = generateLastfmLike({ scale: 0.01, seed: 9, genres: 16, homeGenreShare: 0.5 });
    const { indptr, indices, nnz, nRows } = data.userItems;
    let home = 0;
    for (let user = 0; user < nRows; user++) {
      for (let k = indptr[user]; k < indptr[user + 1]; k++) if (data.planted.itemGenre[indices[k]] === data.planted.userGenre[user]) home++;
    }
    // 0.5 from the home genre plus 0.5 / 16 of the global draws landing there by chance.
    expect(home / nnz).toBeGreaterThan(0.45);
    expect(home / nnz).toBeLessThan(0.56);
  });

  it('plants structure that beats popularity on held-out items', () => {
    const data = generateLastfmLike({ scale: 0.01, seed: 11, genres: 16 });
    const { indptr, indices, nRows, nCols } = data.userItems;
    const { itemGenre, userGenre, genres } = data.planted;

    // Hold out one random item per user; count item popularity (users) and popularity within genres on the rest.
    const random = new Random(1);
    const heldOut = new Int32Array(nRows);
    const itemCount = new Float64Array(nCols);
    for (let user = 0; user < nRows; user++) {
      const length = indptr[user + 1] - indptr[user];
      heldOut[user] = indices[indptr[user] + random.nextInt(length)];
      for (let k = indptr[user]; k < indptr[user + 1]; k++) if (indices[k] !== heldOut[user]) itemCount[indices[k]]++;
    }
    const rankItems = (items: number[]) => items.sort((a, b) => itemCount[b] - itemCount[a] || a - b);
    const popular = rankItems(Array.from({ length: nCols }, (_, item) => item));
    const popularInGenre = Array.from({ length: genres }, (_, genre) => popular.filter((item) => itemGenre[item] === genre));

    let popularityHits = 0;
    let genreHits = 0;
    const top = 20;
    for (let user = 0; user < nRows; user++) {
      const seen = new Set<number>();
      for (let k = indptr[user]; k < indptr[user + 1]; k++) if (indices[k] !== heldOut[user]) seen.add(indices[k]);
      const unseenTop = (list: number[]) => list.filter((item) => !seen.has(item)).slice(0, top);
      // A genre-aware model: half of the list from the home genre, half from global popularity.
      const fromGenre = unseenTop(popularInGenre[userGenre[user]]).slice(0, top / 2);
      const fromGlobal = unseenTop(popular).filter((item) => !fromGenre.includes(item)).slice(0, top / 2);
      if (unseenTop(popular).includes(heldOut[user])) popularityHits++;
      if ([...fromGenre, ...fromGlobal].includes(heldOut[user])) genreHits++;
    }
    // Seed 11 gives 971 hits against 360; a factor model that finds the genres has this much to gain.
    expect(genreHits).toBeGreaterThan(2 * popularityHits);
  });

  it('rejects out-of-range options', () => {
    expect(() => generateLastfmLike({ scale: 0 })).toThrow(InputError);
    expect(() => generateLastfmLike({ scale: 2 })).toThrow('invalid generateLastfmLike options: scale is 2: expected a number in (0, 1]');
    expect(() => generateLastfmLike({ genres: 0 })).toThrow('invalid generateLastfmLike options: genres is 0: expected an integer in [1, 4096]');
  });

  it('caps pairs at tiny scales where users cannot fill their share', () => {
    const tiny = generateLastfmLike({ scale: 0.0001, seed: 1 });
    expect(tiny.userItems.shape).toEqual([36, 29]);
    // Each user has at most half of the 29 items.
    expect(tiny.userItems.nnz).toBe(36 * 14);
    expect(() => validateCsr(tiny.userItems)).not.toThrow();
  });
});
