import { describe, expect, it } from 'vitest';
import { loadInteractions, loadTrainTest } from '../../src/io/index.js';
import type { LoadOptions } from '../../src/io/index.js';
import { expectInputError } from './expect-error.js';
import { samplePath } from './temp-file.js';

const triplets = samplePath('triplets.tsv');

describe('load options', () => {
  it('rejects an unknown format naming the allowed ones', async () => {
    const error = await expectInputError(
      loadInteractions(triplets, { format: 'xml' } as unknown as LoadOptions),
      'invalid_option',
      'invalid loadInteractions options: format is "xml": expected one of auto, triplets, csv, lastfm360k, movielens, mtx',
    );
    expect(error.details.where).toBe('format');
  });

  it('rejects an unknown option', async () => {
    await expectInputError(
      loadInteractions(triplets, { fromat: 'csv' } as unknown as LoadOptions),
      'invalid_option',
      'invalid loadInteractions options: unknown option fromat',
    );
  });

  it('rejects a negative or fractional column', async () => {
    await expectInputError(
      loadInteractions(triplets, { userColumn: -1 }),
      'invalid_option',
      'invalid loadInteractions options: userColumn is -1: expected a column index in [0, 255]',
    );
    await expectInputError(
      loadInteractions(triplets, { valueColumn: 1.5 }),
      'invalid_option',
      'invalid loadInteractions options: valueColumn is 1.5: expected a whole 0-based column index',
    );
  });

  it('rejects equal user and item columns', async () => {
    await expectInputError(
      loadInteractions(triplets, { userColumn: 1 }),
      'invalid_option',
      'invalid loadInteractions options: itemColumn is missing: expected a column other than userColumn 1 (itemColumn defaults to 1)',
    );
  });

  it('rejects a column count below the chosen columns', async () => {
    await expectInputError(
      loadInteractions(triplets, { valueColumn: 4, columnCount: 3 }),
      'invalid_option',
      'invalid loadInteractions options: columnCount is 3: expected at least 5 columns to hold column 4',
    );
  });

  it('rejects generic layout options with a fixed format', async () => {
    await expectInputError(
      loadTrainTest(triplets, triplets, { format: 'lastfm360k', delimiter: ',' }),
      'invalid_option',
      'invalid loadTrainTest options: delimiter is ",": applies only to formats triplets and csv, not lastfm360k',
    );
  });

  it('rejects a delimiter with a line break and a bad chunk size', async () => {
    await expectInputError(
      loadInteractions(triplets, { delimiter: '\n' }),
      'invalid_option',
      'invalid loadInteractions options: delimiter is "\\n": expected a delimiter without line breaks',
    );
    await expectInputError(
      loadInteractions(triplets, { chunkBytes: 10 }),
      'invalid_option',
      'invalid loadInteractions options: chunkBytes is 10: expected a read size in [1024, 67108864] bytes',
    );
  });

  it('rejects a non-IdMap userIds', async () => {
    await expectInputError(
      loadInteractions(triplets, { userIds: ['a'] } as unknown as LoadOptions),
      'invalid_option',
      'invalid loadInteractions options: userIds is an array: expected an IdMap',
    );
  });

  it('accepts a small chunk size and gives the same result', async () => {
    const small = await loadInteractions(triplets, { chunkBytes: 1024 });
    const large = await loadInteractions(triplets);
    expect(Array.from(small.userItems.data)).toEqual(Array.from(large.userItems.data));
  });
});
