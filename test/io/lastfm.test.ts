import { describe, expect, it } from 'vitest';
import { loadInteractions } from '../../src/io/index.js';
import { expectInputError } from './expect-error.js';
import { samplePath, writeTemp } from './temp-file.js';

const USER_1 = '3f2a9c0d1e4b5a6978c0d1e2f3a4b5c6d7e8f901';
const USER_2 = 'b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6';
const USER_3 = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00';

describe('loadInteractions lastfm360k', () => {
  it('keys artists by name and keeps odd names intact', async () => {
    const loaded = await loadInteractions(samplePath('lastfm-360k-sample.tsv'));
    expect(loaded.format).toBe('lastfm360k');
    expect(loaded.userIds.toArray()).toEqual([USER_1, USER_2, USER_3]);
    expect(loaded.itemIds.toArray()).toEqual([
      'the quiet harbour',
      '"double quoted" trio',
      'ünïcödé örchestra',
      '#hashtag & co.',
      '架空のバンド',
      // The artist name is empty on this line, so the MusicBrainz id replaces it.
      '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d',
    ]);
    expect(loaded.itemNames).toEqual(loaded.itemIds.toArray());
  });

  it('sums plays of the same artist with and without an mbid', async () => {
    const { userItems, stats } = await loadInteractions(samplePath('lastfm-360k-sample.tsv'));
    expect(userItems.get(0, 0)).toBe(420);
    expect(userItems.get(0, 1)).toBe(97);
    expect(userItems.get(1, 4)).toBe(60);
    expect(userItems.get(2, 0)).toBe(1);
    expect(userItems.nnz).toBe(7);
    expect(stats).toEqual({
      lines: 9,
      rows: 8,
      zeroValuesDropped: 1,
      duplicatesSummed: 1,
      blankLines: 0,
      commentLines: 0,
      headerLines: 0,
      invalidLinesSkipped: 0,
    });
  });

  it('keys artists by mbid when asked', async () => {
    const loaded = await loadInteractions(samplePath('lastfm-360k-sample.tsv'), { lastfmItemKey: 'mbid' });
    expect(loaded.itemIds.toArray()).toEqual([
      '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      '"double quoted" trio',
      '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9',
      'the quiet harbour',
      '1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b',
      '架空のバンド',
      '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d',
    ]);
    expect(loaded.itemNames).toEqual([
      'the quiet harbour',
      '"double quoted" trio',
      'ünïcödé örchestra',
      'the quiet harbour',
      '#hashtag & co.',
      '架空のバンド',
      '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d',
    ]);
  });

  it('rejects a line with neither artist name nor mbid', async () => {
    const path = writeTemp('usersha1-artmbid-artname-plays.tsv', `${USER_1}\t\tband\t3\n${USER_1}\t\t\t3\n`);
    await expectInputError(
      loadInteractions(path),
      'invalid_file',
      `${path}:2: column 3 (artist name) and column 2 (artist mbid) are empty; expected an item id`,
    );
  });

  it('rejects a line with a missing plays column', async () => {
    const path = writeTemp('lastfm-three-columns.tsv', `${USER_1}\t\tband\t3\n${USER_2}\tband\t7\n`);
    await expectInputError(
      loadInteractions(path, { format: 'lastfm360k' }),
      'invalid_file',
      `${path}:2: found 3 columns, expected 4 (Last.fm 360K, columns 1: user sha1, 2: artist mbid, 3: artist name, 4: plays); check the delimiter (tab) and the file format`,
    );
  });

  it('rejects non-numeric plays with the line number', async () => {
    const path = writeTemp('lastfm-bad-plays.tsv', `${USER_1}\t\tband\t3\n${USER_1}\t\tother band\tmany\n`);
    await expectInputError(
      loadInteractions(path, { format: 'lastfm360k' }),
      'invalid_file',
      `${path}:2: value "many" in column 4 (plays) is not a number; expected a non-negative number`,
    );
  });

  it('skips a header line whose plays column is not a number', async () => {
    const path = writeTemp('lastfm-header.tsv', `user\tmbid\tartist\tplays\n${USER_1}\t\tband\t3\n`);
    const loaded = await loadInteractions(path, { format: 'lastfm360k' });
    expect(loaded.stats.headerLines).toBe(1);
    expect(loaded.userItems.nnz).toBe(1);
  });

  it('rejects a MovieLens file loaded as Last.fm', async () => {
    const path = writeTemp('u.data', '196\t242\t3\t881250949\n186\t302\t3\t891717742\n');
    const error = await expectInputError(
      loadInteractions(path, { format: 'lastfm360k', invalidLines: 'skip' }),
      'invalid_file',
      `${path}:1: user id "196" in column 1 (user sha1) is not a 40-character hex sha1, so this does not look like a Last.fm 360K file; choose format movielens for MovieLens files or triplets for other delimited files`,
    );
    expect(error.details.received).toBe('196');
  });

  it('checks the user id of the first line after the header', async () => {
    const path = writeTemp('usersha1-artmbid-artname-plays.tsv', `user\tmbid\tartist\tplays\nalice\t\tband\t3\n${USER_1}\t\tband\t3\n`);
    await expectInputError(
      loadInteractions(path),
      'invalid_file',
      `${path}:2: user id "alice" in column 1 (user sha1) is not a 40-character hex sha1, so this does not look like a Last.fm 360K file; choose format movielens for MovieLens files or triplets for other delimited files`,
    );
  });

  it('checks the user id of the first data line only', async () => {
    const path = writeTemp('lastfm-odd-user.tsv', `${USER_1.toUpperCase()}\t\tband\t3\nnot-a-sha1\t\tband\t2\n`);
    const loaded = await loadInteractions(path, { format: 'lastfm360k' });
    expect(loaded.userIds.toArray()).toEqual([USER_1.toUpperCase(), 'not-a-sha1']);
  });

  it('rejects bad plays on line 1 without a header hint', async () => {
    const path = writeTemp('lastfm-first-line.tsv', `${USER_3}\t\tband\tmany\n${USER_1}\t\tband\t3\n`);
    await expectInputError(
      loadInteractions(path, { format: 'lastfm360k' }),
      'invalid_file',
      `${path}:1: value "many" in column 4 (plays) is not a number; expected a non-negative number`,
    );
  });

  it('hints at a header when line 1 has no sha1', async () => {
    const path = writeTemp('lastfm-named-columns.tsv', `who\twhich mbid\twhat artist\thow many\n${USER_1}\t\tband\t3\n`);
    await expectInputError(
      loadInteractions(path, { format: 'lastfm360k' }),
      'invalid_file',
      `${path}:1: user id "who" in column 1 (user sha1) is not a 40-character hex sha1, so this does not look like a Last.fm 360K file; choose format movielens for MovieLens files or triplets for other delimited files; if line 1 is a header, start it with "#"`,
    );
  });

  it('maps invalid UTF-8 to the replacement character without merging valid names', async () => {
    const line = (name: Uint8Array) => Buffer.concat([Buffer.from(`${USER_1}\t\t`), name, Buffer.from('\t1\n')]);
    const path = writeTemp('lastfm-bytes.tsv', Buffer.concat([line(Buffer.from([0x61, 0xff])), line(Buffer.from([0x61, 0xfe])), line(Buffer.from('a'))]));
    const loaded = await loadInteractions(path, { format: 'lastfm360k' });
    expect(loaded.itemIds.toArray()).toEqual(['a\ufffd', 'a']);
    expect(loaded.userItems.get(0, 0)).toBe(2);
  });
});
