import { describe, expect, it } from 'vitest';
import { loadInteractions } from '../../src/io/index.js';
import { expectInputError } from './expect-error.js';
import { samplePath, writeTemp } from './temp-file.js';

describe('loadInteractions triplets', () => {
  it('reads the triplets sample with comment, blank line, duplicate and zero', async () => {
    const loaded = await loadInteractions(samplePath('triplets.tsv'));
    expect(loaded.format).toBe('triplets');
    expect(loaded.userIds.toArray()).toEqual(['alice', 'bob', 'carol']);
    expect(loaded.itemIds.toArray()).toEqual(['song-a', 'song-b']);
    const { userItems } = loaded;
    expect(Array.from(userItems.indptr)).toEqual([0, 2, 3, 4]);
    expect(Array.from(userItems.indices)).toEqual([0, 1, 0, 1]);
    expect(Array.from(userItems.data)).toEqual([7, 1, 2, 1.5]);
    expect(loaded.stats).toEqual({
      lines: 8,
      rows: 5,
      zeroValuesDropped: 1,
      duplicatesSummed: 1,
      blankLines: 1,
      commentLines: 1,
      headerLines: 0,
      invalidLinesSkipped: 0,
    });
    expect(loaded.itemNames).toBeUndefined();
  });

  it('detects a CSV header whose value column is not a number', async () => {
    const loaded = await loadInteractions(samplePath('triplets-with-header.csv'));
    expect(loaded.format).toBe('csv');
    expect(loaded.stats.headerLines).toBe(1);
    expect(loaded.userIds.toArray()).toEqual(['u1', 'u2']);
    expect(loaded.userItems.get(1, 0)).toBe(5);
  });

  it('treats every line as data when header is false', async () => {
    const path = writeTemp('no-header.csv', 'user,item,clicks\nu1,i1,2\n');
    await expectInputError(
      loadInteractions(path, { header: false }),
      'invalid_file',
      `${path}:1: value "clicks" in column 3 (value) is not a number; expected a non-negative number`,
    );
  });

  it('handles CRLF endings and a BOM', async () => {
    const path = writeTemp('crlf-bom.tsv', '\ufeffu1\ti1\t2\r\nu2\ti1\t3\r\n\r\n# note\r\nu1\ti2\t1');
    const loaded = await loadInteractions(path);
    expect(loaded.userIds.toArray()).toEqual(['u1', 'u2']);
    expect(loaded.itemIds.toArray()).toEqual(['i1', 'i2']);
    expect(Array.from(loaded.userItems.data)).toEqual([2, 1, 3]);
    expect(loaded.stats.blankLines).toBe(1);
    expect(loaded.stats.commentLines).toBe(1);
    expect(loaded.stats.lines).toBe(5);
  });

  it('counts lines of spaces and tabs as blank', async () => {
    const path = writeTemp('spaces.tsv', 'u1\ti1\t1\n   \n\t \nu2\ti1\t1\n');
    const loaded = await loadInteractions(path);
    expect(loaded.stats.blankLines).toBe(2);
    expect(loaded.userItems.nnz).toBe(2);
  });

  it.each([
    ['abc', 'is not a number'],
    ['NaN', 'is not a number'],
    ['Infinity', 'is not a number'],
    ['', 'is not a number'],
    ['3 ', 'is not a number'],
    ['0x10', 'is not a number'],
    ['-2', 'is negative'],
    ['-0.5', 'is negative'],
    ['1e999', 'is not finite'],
  ])('rejects value "%s" with the line number', async (value, problem) => {
    const path = writeTemp('bad-value.tsv', `u1\ti1\t1\nu1\ti2\t2\n# comment\nu2\ti1\t${value}\nu3\ti3\t1\n`);
    const error = await expectInputError(
      loadInteractions(path),
      'invalid_file',
      `${path}:4: value ${JSON.stringify(value)} in column 3 (value) ${problem}; expected a non-negative number`,
    );
    expect(error.details.line).toBe(4);
    expect(error.details.received).toBe(value);
    expect(error.details.where).toBe(`${path}:4`);
  });

  it('accepts signed, exponent and long decimal values', async () => {
    const path = writeTemp('numbers.tsv', 'u\ta\t+3\nu\tb\t2.5e1\nu\tc\t.5\nu\td\t7.\nu\te\t0.1234567890123456789\nu\tf\t-0\n');
    const loaded = await loadInteractions(path);
    expect(Array.from(loaded.userItems.data)).toEqual([3, 25, 0.5, 7, Math.fround(0.12345678901234568)]);
    expect(loaded.stats.zeroValuesDropped).toBe(1);
  });

  it('rejects a line with the wrong number of columns', async () => {
    const path = writeTemp('columns.tsv', 'u1\ti1\t1\nu1\ti2\nu2\ti1\t1\n');
    await expectInputError(
      loadInteractions(path),
      'invalid_file',
      `${path}:2: found 2 columns, expected 3 as on line 1 (delimited triplets, columns 1: user id, 2: item id, 3: value); check the delimiter (tab) and the file format`,
    );
  });

  it('lists every column of a wider first line', async () => {
    const path = writeTemp('wide.tsv', 'u1\ti1\t1\t100\nu1\ti2\n');
    await expectInputError(
      loadInteractions(path),
      'invalid_file',
      `${path}:2: found 2 columns, expected 4 as on line 1 (delimited triplets, columns 1: user id, 2: item id, 3: value, 4: ignored); check the delimiter (tab) and the file format`,
    );
    const wider = writeTemp('wider.csv', '# ratings\nu1,i1,1,a,b,c\nu1,i2,1\n');
    await expectInputError(
      loadInteractions(wider),
      'invalid_file',
      `${wider}:3: found 3 columns, expected 6 as on line 2 (CSV triplets, columns 1: user id, 2: item id, 3: value, 4-6: ignored); check the delimiter (comma) and the file format`,
    );
  });

  it('names unread columns between chosen ones', async () => {
    const path = writeTemp('gap.txt', 'x;i1;u1;9\nx;i2\n');
    await expectInputError(
      loadInteractions(path, { delimiter: ';', userColumn: 2, itemColumn: 1, valueColumn: null }),
      'invalid_file',
      `${path}:2: found 2 columns, expected 4 as on line 1 (delimited triplets, columns 1: ignored, 2: item id, 3: user id, 4: ignored); check the delimiter (semicolon) and the file format`,
    );
  });

  it('rejects empty ids', async () => {
    const emptyUser = writeTemp('empty-user.tsv', 'u1\ti1\t1\n\ti1\t1\n');
    await expectInputError(loadInteractions(emptyUser), 'invalid_file', `${emptyUser}:2: column 1 (user id) is empty; expected a user id`);
    const emptyItem = writeTemp('empty-item.csv', 'u1,i1,1\nu1,,1\n');
    await expectInputError(loadInteractions(emptyItem), 'invalid_file', `${emptyItem}:2: column 2 (item id) is empty; expected an item id`);
  });

  it('skips invalid lines when asked and counts them', async () => {
    const path = writeTemp('skip.tsv', 'u1\ti1\t1\nu1\ti2\tx\nu2\ti1\nu2\ti2\t-1\nu3\ti1\t4\n');
    const loaded = await loadInteractions(path, { invalidLines: 'skip' });
    expect(loaded.stats.invalidLinesSkipped).toBe(3);
    expect(loaded.stats.rows).toBe(2);
    expect(loaded.stats.firstInvalidLine).toBe(`${path}:2: value "x" in column 3 (value) is not a number; expected a non-negative number`);
    expect(loaded.userIds.toArray()).toEqual(['u1', 'u3']);
  });

  it('reads chosen columns, delimiter and no value column', async () => {
    const path = writeTemp('columns.txt', 'x;i1;u1;9\nx;i2;u1;9\nx;i1;u2;9\n');
    const loaded = await loadInteractions(path, { format: 'triplets', delimiter: ';', userColumn: 2, itemColumn: 1, valueColumn: null });
    expect(loaded.userIds.toArray()).toEqual(['u1', 'u2']);
    expect(loaded.itemIds.toArray()).toEqual(['i1', 'i2']);
    expect(Array.from(loaded.userItems.data)).toEqual([1, 1, 1]);
  });

  it('guesses the delimiter of a triplets file from its first line', async () => {
    const semicolons = writeTemp('guess.txt', 'u1;i1;2\nu2;i1;3\n');
    expect((await loadInteractions(semicolons)).userItems.nnz).toBe(2);
    const spaces = writeTemp('guess-space.txt', 'u1 i1 2\nu2 i1 3\n');
    expect(Array.from((await loadInteractions(spaces)).userItems.data)).toEqual([2, 3]);
  });

  it('reads a two-column file as binary interactions', async () => {
    const path = writeTemp('pairs.tsv', 'u1\ti1\nu1\ti1\nu2\ti3\n');
    const loaded = await loadInteractions(path);
    expect(Array.from(loaded.userItems.data)).toEqual([2, 1]);
    expect(loaded.stats.duplicatesSummed).toBe(1);
  });

  it('counts every line as 1 with binary', async () => {
    const path = writeTemp('binary.tsv', 'u1\ti1\t5\nu1\ti2\t0\nu1\ti1\t3\n');
    const loaded = await loadInteractions(path, { binary: true });
    expect(Array.from(loaded.userItems.data)).toEqual([2, 1]);
  });

  it('enforces a given column count', async () => {
    const path = writeTemp('count.tsv', 'u1\ti1\t1\t100\n');
    await expectInputError(
      loadInteractions(path, { columnCount: 3 }),
      'invalid_file',
      `${path}:1: found 4 columns, expected 3 (delimited triplets, columns 1: user id, 2: item id, 3: value); check the delimiter (tab) and the file format`,
    );
  });

  it('rejects too few columns on line 1', async () => {
    const path = writeTemp('narrow.csv', 'u1,i1\nu2,i2\n');
    await expectInputError(
      loadInteractions(path, { valueColumn: 3, invalidLines: 'skip' }),
      'invalid_file',
      `${path}:1: found 2 columns, but the chosen columns (CSV triplets, columns 1: user id, 2: item id, 4: value) need at least 4; check the delimiter (comma) and the column options`,
    );
  });

  it('reads a multi-character delimiter', async () => {
    const path = writeTemp('colons.txt', 'a::x::2\nb::y::3\n');
    const loaded = await loadInteractions(path, { format: 'triplets', delimiter: '::' });
    expect(loaded.userIds.toArray()).toEqual(['a', 'b']);
    expect(Array.from(loaded.userItems.data)).toEqual([2, 3]);
  });

  it('tells apart users that share a prefix', async () => {
    const path = writeTemp('prefix-users.tsv', 'u1\ti1\t1\nu1\ti2\t1\nu12\ti1\t1\nu1\ti3\t1\nu\ti1\t1\nu1\t\t1\n');
    const loaded = await loadInteractions(path, { invalidLines: 'skip' });
    expect(loaded.userIds.toArray()).toEqual(['u1', 'u12', 'u']);
    expect(Array.from(loaded.userItems.indptr)).toEqual([0, 3, 4, 5]);
    expect(loaded.stats.invalidLinesSkipped).toBe(1);
  });

});

describe('loadInteractions header detection', () => {
  it.each([
    ['1\t1\tabc\n2\t2\t3\n', 'abc'],
    ['1\t1\t0x10\n2\t2\t3\n', '0x10'],
    ['u1\t7\tNaN\nu2\t2\t3\n', 'NaN'],
    ['user\t1\tclicks\nu2\t2\t3\n', 'clicks'],
  ])('rejects data line 1 %j with a bad value', async (content, value) => {
    const path = writeTemp('first-line.tsv', content);
    const error = await expectInputError(
      loadInteractions(path),
      'invalid_file',
      `${path}:1: value ${JSON.stringify(value)} in column 3 (value) is not a number; expected a non-negative number`,
    );
    expect(error.details.line).toBe(1);
  });

  it('suggests header: true for unknown column names', async () => {
    const path = writeTemp('unknown-header.tsv', 'u1\ti1\tabc\nu2\ti2\t3\n');
    await expectInputError(
      loadInteractions(path),
      'invalid_file',
      `${path}:1: value "abc" in column 3 (value) is not a number; expected a non-negative number; if line 1 is a header, pass the option header: true or start it with "#"`,
    );
    const loaded = await loadInteractions(path, { header: true });
    expect(loaded.stats.headerLines).toBe(1);
    expect(loaded.userIds.toArray()).toEqual(['u2']);
  });

  it.each([
    ['header.tsv', 'user\titem\tclicks\n'],
    ['header.csv', 'userId,movieId,rating\n'],
    ['header.csv', 'user_id,book_id,rating\n'],
    ['header.txt', '"User-ID";"ISBN";"Book-Rating"\n'],
    ['header.tsv', 'pin_id\tboardId\tweight\n'],
    ['header.tsv', 'Customer\tProduct\tQuantity\n'],
    ['header.tsv', 'a\tb\tplays\n'],
  ])('skips the header of %s: %j', async (name, header) => {
    const delimiter = header.includes(';') ? ';' : header.includes(',') ? ',' : '\t';
    const row = ['u1', 'i1', '2', '100'].slice(0, header.split(delimiter).length).join(delimiter);
    const path = writeTemp(name, `${header}${row}\n`);
    const loaded = await loadInteractions(path);
    expect(loaded.stats.headerLines).toBe(1);
    expect(loaded.userIds.toArray()).toEqual(['u1']);
    expect(loaded.itemIds.toArray()).toEqual(['i1']);
  });

  it('skips the header of a two-column file', async () => {
    const path = writeTemp('pairs-header.csv', 'user,item\nu1,i1\n');
    const loaded = await loadInteractions(path);
    expect(loaded.stats.headerLines).toBe(1);
    expect(loaded.userIds.toArray()).toEqual(['u1']);
    expect(Array.from(loaded.userItems.data)).toEqual([1]);
  });

  it('reads two-column data ids as data', async () => {
    const path = writeTemp('pairs-data.csv', 'u1,i1\nu2,i1\n');
    const loaded = await loadInteractions(path);
    expect(loaded.stats.headerLines).toBe(0);
    expect(loaded.userIds.toArray()).toEqual(['u1', 'u2']);
  });

  it('skips line 1 with header true even when it is numeric', async () => {
    const path = writeTemp('forced-header.tsv', '1\t1\t5\n2\t2\t3\n');
    const loaded = await loadInteractions(path, { header: true });
    expect(loaded.stats.headerLines).toBe(1);
    expect(loaded.userIds.toArray()).toEqual(['2']);
  });
});

describe('loadInteractions float32 range', () => {
  it.each([
    ['1e40', 'overflows float32, whose maximum is about 3.4e38; expected a non-negative number up to about 3.4e38'],
    ['3.4028236e38', 'overflows float32, whose maximum is about 3.4e38; expected a non-negative number up to about 3.4e38'],
    ['1e-50', 'rounds to 0 in float32, whose smallest positive value is about 1.4e-45; expected 0 or a number of at least about 1.4e-45'],
  ])('rejects value %s with the file and line', async (value, problem) => {
    const path = writeTemp('float32.tsv', `1\t1\t1\n2\t2\t${value}\n`);
    const error = await expectInputError(loadInteractions(path), 'invalid_file', `${path}:2: value "${value}" in column 3 (value) ${problem}`);
    expect(error.details.received).toBe(value);
  });

  it('accepts values near the float32 limits', async () => {
    const path = writeTemp('float32-limits.tsv', '1\t1\t3.4e38\n2\t2\t1.5e-45\n');
    const loaded = await loadInteractions(path);
    expect(Array.from(loaded.userItems.data)).toEqual([Math.fround(3.4e38), Math.fround(1.5e-45)]);
  });

  it('rejects duplicates whose sum overflows float32', async () => {
    const path = writeTemp('sum-overflow.tsv', 'u1\ti1\t1\nu2\ti9\t2e38\nu2\ti9\t2e38\n');
    const sum = 2 * Math.fround(2e38);
    const error = await expectInputError(
      loadInteractions(path),
      'invalid_file',
      `${path}: the 2 values for user "u2" and item "i9" sum to ${sum}, which overflows float32, whose maximum is about 3.4e38; scale the values down`,
    );
    expect(error.details.where).toBe(path);
  });
});

describe('loadInteractions without interactions', () => {
  it.each([
    ['empty.tsv', '', 'the file is empty', 'user id, item id and an optional value, separated by tab'],
    ['blank.tsv', '\n  \n', '2 lines read: 2 blank', 'user id, item id and an optional value, separated by tab'],
    ['header-only.tsv', 'user\titem\tvalue\n\n\n', '3 lines read: 1 header, 2 blank', 'user id, item id, value, separated by tab'],
    ['comment-only.csv', '# no data yet\n', '1 line read: 1 comment', 'user id, item id and an optional value, separated by comma'],
  ])('rejects %s', async (name, content, lines, expected) => {
    const path = writeTemp(name, content);
    const error = await expectInputError(loadInteractions(path), 'invalid_file', `${path}: no interactions found (${lines}); expected lines of ${expected}`);
    expect(error.details.where).toBe(path);
  });

  it('rejects a file whose values are all zero', async () => {
    const path = writeTemp('zeros.tsv', 'user\titem\tplays\nu1\ti1\t0\nu2\ti1\t0.0\n');
    await expectInputError(
      loadInteractions(path),
      'invalid_file',
      `${path}: no interactions found (3 lines read: 1 header, 2 with value 0); all 2 values were zero and were dropped, because 0 means no interaction; expected at least one positive value`,
    );
    const single = writeTemp('zero.tsv', 'u1\ti1\t0\n');
    await expectInputError(
      loadInteractions(single),
      'invalid_file',
      `${single}: no interactions found (1 line read: 1 with value 0); the only value was zero and was dropped, because 0 means no interaction; expected at least one positive value`,
    );
  });

  it('names the first skipped line when every line is invalid', async () => {
    const path = writeTemp('all-invalid.tsv', '1\t1\tx\n2\t2\n');
    await expectInputError(
      loadInteractions(path, { invalidLines: 'skip' }),
      'invalid_file',
      `${path}: no interactions found (2 lines read: 2 invalid and skipped); the first invalid line was ${path}:1: value "x" in column 3 (value) is not a number; expected a non-negative number`,
    );
  });

  it('rejects a two-column header with no rows after it', async () => {
    const path = writeTemp('pairs-header-only.csv', 'user,item\n');
    await expectInputError(
      loadInteractions(path, { valueColumn: null }),
      'invalid_file',
      `${path}: no interactions found (1 line read: 1 header); expected lines of user id, item id, separated by comma`,
    );
  });
});
