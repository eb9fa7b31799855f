import { describe, expect, it } from 'vitest';
import { loadInteractions } from '../../src/io/index.js';
import { expectInputError } from './expect-error.js';
import { samplePath, writeTemp } from './temp-file.js';

describe('loadInteractions mtx', () => {
  it('reads a real coordinate matrix with 1-based ids and drops the zero', async () => {
    const loaded = await loadInteractions(samplePath('matrix-market-real.mtx'));
    expect(loaded.format).toBe('mtx');
    expect(loaded.userIds.toArray()).toEqual(['1', '2', '3']);
    expect(loaded.itemIds.toArray()).toEqual(['1', '2', '3', '4']);
    expect(Array.from(loaded.userItems.indptr)).toEqual([0, 2, 3, 4]);
    expect(Array.from(loaded.userItems.indices)).toEqual([0, 2, 3, 2]);
    expect(Array.from(loaded.userItems.data)).toEqual([2.5, 1, 7, 4]);
    expect(loaded.stats).toEqual({
      lines: 8,
      rows: 4,
      zeroValuesDropped: 1,
      duplicatesSummed: 0,
      blankLines: 0,
      commentLines: 1,
      headerLines: 2,
      invalidLinesSkipped: 0,
    });
  });

  it('reads a pattern matrix as ones', async () => {
    const loaded = await loadInteractions(samplePath('matrix-market-pattern.mtx'));
    expect(loaded.userItems.shape).toEqual([2, 3]);
    expect(Array.from(loaded.userItems.indices)).toEqual([1, 0, 2]);
    expect(Array.from(loaded.userItems.data)).toEqual([1, 1, 1]);
    expect(loaded.stats.commentLines).toBe(1);
  });

  it('takes the shape from the size line, empty rows and columns included', async () => {
    const loaded = await loadInteractions(samplePath('matrix-market-integer.mtx'));
    expect(loaded.userItems.shape).toEqual([4, 4]);
    expect(loaded.userItems.get(0, 0)).toBe(8);
    expect(loaded.userItems.get(3, 3)).toBe(2);
    expect(loaded.stats.duplicatesSummed).toBe(1);
    expect(loaded.userItems.rowLength(1)).toBe(0);
  });

  it('rejects unsupported banners', async () => {
    const symmetric = writeTemp('symmetric.mtx', '%%MatrixMarket matrix coordinate real symmetric\n2 2 1\n1 1 1\n');
    await expectInputError(
      loadInteractions(symmetric),
      'invalid_file',
      `${symmetric}:1: symmetry "symmetric" is not supported, only general matrices are; expected "%%MatrixMarket matrix coordinate real|integer|pattern general"`,
    );
    const array = writeTemp('array.mtx', '%%MatrixMarket matrix array real general\n2 2\n1\n');
    await expectInputError(
      loadInteractions(array),
      'invalid_file',
      `${array}:1: storage "array" is not supported, only sparse coordinate files are; expected "%%MatrixMarket matrix coordinate real|integer|pattern general"`,
    );
    const complex = writeTemp('complex.mtx', '%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1 0\n');
    await expectInputError(
      loadInteractions(complex),
      'invalid_file',
      `${complex}:1: value field "complex" is not supported; expected "%%MatrixMarket matrix coordinate real|integer|pattern general"`,
    );
    const missing = writeTemp('no-banner.mtx', '2 2 1\n1 1 1\n');
    await expectInputError(
      loadInteractions(missing),
      'invalid_file',
      `${missing}:1: found "2 2 1" where the MatrixMarket banner belongs; expected "%%MatrixMarket matrix coordinate real|integer|pattern general"`,
    );
  });

  it('rejects a bad size line', async () => {
    const path = writeTemp('size.mtx', '%%MatrixMarket matrix coordinate real general\n% c\n2 x 1\n1 1 1\n');
    await expectInputError(
      loadInteractions(path),
      'invalid_file',
      `${path}:3: size line "2 x 1" is invalid; expected three non-negative integers "rows columns entries"`,
    );
  });

  it('rejects indices outside the declared size', async () => {
    const path = writeTemp('range.mtx', '%%MatrixMarket matrix coordinate real general\n2 3 2\n1 1 1\n3 1 1\n');
    await expectInputError(
      loadInteractions(path),
      'invalid_file',
      `${path}:4: row index "3" is not an integer in [1, 2], the rows declared by the size line`,
    );
    const zero = writeTemp('zero-index.mtx', '%%MatrixMarket matrix coordinate real general\n2 3 1\n1 0 1\n');
    await expectInputError(
      loadInteractions(zero),
      'invalid_file',
      `${zero}:3: column index "0" is not an integer in [1, 3], the columns declared by the size line`,
    );
  });

  it('rejects negative, non-numeric and non-integer values', async () => {
    const negative = writeTemp('negative.mtx', '%%MatrixMarket matrix coordinate real general\n1 1 1\n1 1 -4\n');
    await expectInputError(loadInteractions(negative), 'invalid_file', `${negative}:3: value "-4" is negative; expected a non-negative number`);
    const text = writeTemp('nan.mtx', '%%MatrixMarket matrix coordinate real general\n1 1 1\n1 1 nan\n');
    await expectInputError(loadInteractions(text), 'invalid_file', `${text}:3: value "nan" is not a number; expected a non-negative number`);
    const fraction = writeTemp('fraction.mtx', '%%MatrixMarket matrix coordinate integer general\n1 1 1\n1 1 2.5\n');
    await expectInputError(loadInteractions(fraction), 'invalid_file', `${fraction}:3: value "2.5" is not an integer, but the banner declares integer values`);
  });

  it('rejects entries with the wrong field count', async () => {
    const path = writeTemp('fields.mtx', '%%MatrixMarket matrix coordinate pattern general\n2 2 2\n1 1\n2 2 1\n');
    await expectInputError(loadInteractions(path), 'invalid_file', `${path}:4: found 3 fields, expected 2 ("row column") for a pattern matrix`);
  });

  it('rejects a file with fewer entries than declared', async () => {
    const path = writeTemp('short.mtx', '%%MatrixMarket matrix coordinate real general\n2 2 3\n1 1 1\n2 2 1\n');
    await expectInputError(loadInteractions(path), 'invalid_file', `${path}: the size line declares 3 entries but the file has 2; the file may be truncated`);
  });

  it('rejects a banner without a size line', async () => {
    const path = writeTemp('banner-only.mtx', '%%MatrixMarket matrix coordinate real general\n% nothing else\n');
    await expectInputError(loadInteractions(path), 'invalid_file', `${path}: no size line "rows columns entries" after the banner; expected one before the entries`);
  });

  it('rejects values outside the float32 range', async () => {
    const large = writeTemp('large.mtx', '%%MatrixMarket matrix coordinate real general\n1 1 1\n1 1 1e40\n');
    await expectInputError(
      loadInteractions(large),
      'invalid_file',
      `${large}:3: value "1e40" overflows float32, whose maximum is about 3.4e38; expected a non-negative number up to about 3.4e38`,
    );
    const tiny = writeTemp('tiny.mtx', '%%MatrixMarket matrix coordinate real general\n1 1 1\n1 1 1e-50\n');
    await expectInputError(
      loadInteractions(tiny),
      'invalid_file',
      `${tiny}:3: value "1e-50" rounds to 0 in float32, whose smallest positive value is about 1.4e-45; expected 0 or a number of at least about 1.4e-45`,
    );
  });

  it('rejects duplicate entries whose sum overflows float32', async () => {
    const path = writeTemp('sum.mtx', '%%MatrixMarket matrix coordinate real general\n2 2 3\n2 1 3e38\n1 1 1\n2 1 3e38\n');
    const sum = 2 * Math.fround(3e38);
    await expectInputError(
      loadInteractions(path),
      'invalid_file',
      `${path}: the 2 values for user "2" and item "1" sum to ${sum}, which overflows float32, whose maximum is about 3.4e38; scale the values down`,
    );
  });

  it('rejects a file with a size line and no entries', async () => {
    const path = writeTemp('no-entries.mtx', '%%MatrixMarket matrix coordinate real general\n% none\n3 3 0\n');
    await expectInputError(
      loadInteractions(path),
      'invalid_file',
      `${path}: no interactions found (3 lines read: 2 header, 1 comment); expected entries "row column [value]" after the size line`,
    );
    const zeros = writeTemp('only-zeros.mtx', '%%MatrixMarket matrix coordinate integer general\n3 3 2\n1 1 0\n2 2 0\n');
    await expectInputError(
      loadInteractions(zeros),
      'invalid_file',
      `${zeros}: no interactions found (4 lines read: 2 header, 2 with value 0); all 2 values were zero and were dropped, because 0 means no interaction; expected at least one positive value`,
    );
  });

  it('handles CRLF endings, a BOM and blank lines', async () => {
    const path = writeTemp('crlf.mtx', '\ufeff%%MatrixMarket matrix coordinate real general\r\n\r\n2 2 2\r\n1 2 3\r\n\r\n2 1 4\r\n');
    const loaded = await loadInteractions(path);
    expect(loaded.userItems.get(0, 1)).toBe(3);
    expect(loaded.userItems.get(1, 0)).toBe(4);
    expect(loaded.stats.blankLines).toBe(2);
  });
});
