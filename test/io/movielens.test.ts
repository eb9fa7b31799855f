import { describe, expect, it } from 'vitest';
import { loadInteractions } from '../../src/io/index.js';
import { requireDataset } from '../helpers/datasets.js';
import { expectInputError } from './expect-error.js';
import { samplePath, writeTemp } from './temp-file.js';

describe('loadInteractions movielens', () => {
  it('reads u.data: tab-separated user, item, rating, timestamp', async () => {
    const loaded = await loadInteractions(samplePath('movielens-100k-u.data'));
    expect(loaded.format).toBe('movielens');
    expect(loaded.userIds.toArray()).toEqual(['10', '11', '12', '13']);
    expect(loaded.itemIds.toArray()).toEqual(['7', '8', '9']);
    expect(Array.from(loaded.userItems.indptr)).toEqual([0, 2, 3, 5, 6]);
    expect(Array.from(loaded.userItems.indices)).toEqual([0, 2, 1, 0, 2, 1]);
    expect(Array.from(loaded.userItems.data)).toEqual([3, 5, 4, 1, 4, 2]);
  });

  it('reads ratings.csv with CRLF endings and half-star ratings', async () => {
    const loaded = await loadInteractions(samplePath('movielens-ratings.csv'));
    expect(loaded.format).toBe('movielens');
    expect(loaded.stats.headerLines).toBe(1);
    expect(loaded.stats.lines).toBe(7);
    expect(loaded.userIds.toArray()).toEqual(['5', '6', '9']);
    expect(loaded.itemIds.toArray()).toEqual(['2', '14', '27', '101']);
    expect(Array.from(loaded.userItems.data)).toEqual([4, 3.5, 5, 2, 0.5, 4.5]);
  });

  it('reads ratings.csv with a BOM and no final newline', async () => {
    const loaded = await loadInteractions(samplePath('movielens-ratings-bom-no-final-newline.csv'));
    expect(loaded.format).toBe('movielens');
    expect(loaded.userIds.toArray()).toEqual(['7', '8']);
    expect(loaded.userItems.get(1, 0)).toBe(1);
    expect(loaded.stats.lines).toBe(4);
  });

  it('reads ratings.dat with "::" separators', async () => {
    const loaded = await loadInteractions(samplePath('movielens-1m-ratings.dat'));
    expect(loaded.format).toBe('movielens');
    expect(loaded.userIds.toArray()).toEqual(['3', '4']);
    expect(loaded.itemIds.toArray()).toEqual(['40', '41', '42']);
    expect(Array.from(loaded.userItems.data)).toEqual([4, 2, 5, 3]);
  });

  it('rejects a ratings.csv line with a bad rating', async () => {
    const path = writeTemp('ratings.csv', 'userId,movieId,rating,timestamp\r\n1,2,4.0,1\r\n1,3,four,2\r\n');
    await expectInputError(
      loadInteractions(path),
      'invalid_file',
      `${path}:3: value "four" in column 3 (rating) is not a number; expected a non-negative number`,
    );
  });

  it('rejects a ratings.csv file whose header differs', async () => {
    const path = writeTemp('other-ratings.csv', 'user,movie,rating,timestamp\n1,2,4.0,1\n');
    await expectInputError(
      loadInteractions(path, { format: 'movielens' }),
      'invalid_file',
      `${path}:1: found "user,movie,rating,timestamp" where MovieLens ratings.csv has its header "userId,movieId,rating,timestamp"; choose another format or fix the header`,
    );
  });

  it('rejects a u.data line with a missing column', async () => {
    const path = writeTemp('u.data', '1\t2\t3\t4\n1\t3\t5\n');
    await expectInputError(
      loadInteractions(path),
      'invalid_file',
      `${path}:2: found 3 columns, expected 4 (MovieLens u.data, columns 1: user id, 2: item id, 3: rating, 4: timestamp); check the delimiter (tab) and the file format`,
    );
  });
});

describe('real MovieLens data sets', () => {
  it('reads ml-100k u.data as 943 users x 1682 items with 100000 ratings', async () => {
    const path = requireDataset('ml-100k/u.data');
    if (path === undefined) return;
    const loaded = await loadInteractions(path);
    expect(loaded.format).toBe('movielens');
    expect(loaded.userItems.shape).toEqual([943, 1682]);
    expect(loaded.userItems.nnz).toBe(100_000);
    expect(loaded.stats.lines).toBe(100_000);
    expect(loaded.stats.duplicatesSummed).toBe(0);
    let ratingSum = 0;
    const histogram = [0, 0, 0, 0, 0, 0];
    for (const rating of loaded.userItems.data) {
      ratingSum += rating;
      histogram[rating]++;
    }
    // Rating counts of the published README: 6,110 ones ... 21,201 fives.
    expect(histogram).toEqual([0, 6110, 11370, 27145, 34174, 21201]);
    expect(ratingSum).toBe(6110 + 2 * 11370 + 3 * 27145 + 4 * 34174 + 5 * 21201);
  });

  it('reads ml-latest-small ratings.csv as 610 users x 9724 items with 100836 ratings', async () => {
    const path = requireDataset('ml-latest-small/ratings.csv');
    if (path === undefined) return;
    const loaded = await loadInteractions(path);
    expect(loaded.format).toBe('movielens');
    expect(loaded.userItems.shape).toEqual([610, 9724]);
    expect(loaded.userItems.nnz).toBe(100_836);
    expect(loaded.stats.headerLines).toBe(1);
    expect(loaded.stats.lines).toBe(100_837);
    let fours = 0;
    for (const rating of loaded.userItems.data) if (rating === 4) fours++;
    expect(fours).toBe(26_818);
  });
});
