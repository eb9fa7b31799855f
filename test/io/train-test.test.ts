import { describe, expect, it } from 'vitest';
import { IdMap } from '../../src/csr/id-map.js';
import { loadInteractions, loadTrainTest } from '../../src/io/index.js';
import { expectInputError } from './expect-error.js';
import { samplePath, writeTemp } from './temp-file.js';

describe('loadTrainTest', () => {
  it('puts both files in one id space and one shape', async () => {
    const loaded = await loadTrainTest(samplePath('train.tsv'), samplePath('test.tsv'));
    expect(loaded.userIds.toArray()).toEqual(['u1', 'u2', 'u3']);
    expect(loaded.itemIds.toArray()).toEqual(['i1', 'i2', 'i3']);
    expect(loaded.train.shape).toEqual([3, 3]);
    expect(loaded.test.shape).toEqual([3, 3]);
    expect(loaded.trainFormat).toBe('triplets');
    expect(loaded.testFormat).toBe('triplets');

    // Train: u1 -> i1 (1), i2 (2); u2 -> i2 (1). u3 and i3 appear only in the test file.
    expect(Array.from(loaded.train.indptr)).toEqual([0, 2, 3, 3]);
    expect(Array.from(loaded.train.data)).toEqual([1, 2, 1]);
    // Test: u1 -> i3 (1); u2 -> i2 (1); u3 -> i1 (4).
    expect(loaded.test.get(0, 2)).toBe(1);
    expect(loaded.test.get(1, 1)).toBe(1);
    expect(loaded.test.get(2, 0)).toBe(4);
    expect(loaded.test.nnz).toBe(3);
    expect(loaded.trainStats.rows).toBe(3);
    expect(loaded.testStats.rows).toBe(3);
  });

  it('shares Last.fm artist names across both files', async () => {
    const user = 'aa'.repeat(20);
    const train = writeTemp('lastfm-train.tsv', `${user}\t\tband one\t5\n`);
    const test = writeTemp('lastfm-test.tsv', `${user}\t\tband two\t2\n${user}\t\tband one\t1\n`);
    const loaded = await loadTrainTest(train, test);
    expect(loaded.itemNames).toEqual(['band one', 'band two']);
    expect(loaded.train.shape).toEqual([1, 2]);
    expect(loaded.test.get(0, 0)).toBe(1);
  });

  it('reads MatrixMarket train and test files with the same size line', async () => {
    const train = writeTemp('train.mtx', '%%MatrixMarket matrix coordinate integer general\n3 2 1\n1 1 4\n');
    const test = writeTemp('test.mtx', '%%MatrixMarket matrix coordinate integer general\n3 2 1\n3 2 1\n');
    const loaded = await loadTrainTest(train, test);
    expect(loaded.userIds.toArray()).toEqual(['1', '2', '3']);
    expect(loaded.train.shape).toEqual([3, 2]);
    expect(loaded.test.get(2, 1)).toBe(1);
  });

  it('rejects a train file without interactions', async () => {
    const train = writeTemp('empty-train.tsv', '# header only\nuser\titem\tvalue\n');
    await expectInputError(
      loadTrainTest(train, samplePath('test.tsv')),
      'invalid_file',
      `${train}: no interactions found (2 lines read: 1 header, 1 comment); expected lines of user id, item id, value, separated by tab`,
    );
  });

  it('accepts a test file without interactions', async () => {
    const test = writeTemp('empty-test.tsv', '');
    const loaded = await loadTrainTest(samplePath('train.tsv'), test);
    expect(loaded.test.nnz).toBe(0);
    expect(loaded.test.shape).toEqual(loaded.train.shape);
    expect(loaded.testStats.lines).toBe(0);
  });

  it('names the test file whose duplicates overflow float32', async () => {
    const test = writeTemp('overflow-test.tsv', 'u1\ti1\t3e38\nu1\ti1\t3e38\n');
    const sum = 2 * Math.fround(3e38);
    await expectInputError(
      loadTrainTest(samplePath('train.tsv'), test),
      'invalid_file',
      `${test}: the 2 values for user "u1" and item "i1" sum to ${sum}, which overflows float32, whose maximum is about 3.4e38; scale the values down`,
    );
  });
});

describe('loadInteractions with given id maps', () => {
  it('extends the given maps so indices match an earlier load', async () => {
    const first = await loadInteractions(samplePath('train.tsv'));
    const second = await loadInteractions(samplePath('test.tsv'), { userIds: first.userIds, itemIds: first.itemIds });
    expect(second.userIds).toBe(first.userIds);
    expect(second.userIds.toArray()).toEqual(['u1', 'u2', 'u3']);
    expect(second.userItems.shape).toEqual([3, 3]);
    expect(second.userItems.get(2, 0)).toBe(4);
  });

  it('keeps ids of a fresh map in file order', async () => {
    const userIds = new IdMap(['u9']);
    const loaded = await loadInteractions(samplePath('train.tsv'), { userIds });
    expect(loaded.userIds.toArray()).toEqual(['u9', 'u1', 'u2']);
    expect(loaded.userItems.rowLength(0)).toBe(0);
  });
});
