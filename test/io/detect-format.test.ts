import { describe, expect, it } from 'vitest';
import { type FileSample, guessDelimiter, resolveFormat, sampleFile } from '../../src/io/detect-format.js';
import { loadInteractions } from '../../src/io/index.js';
import { samplePath, writeTemp } from './temp-file.js';

function sampleOf(firstLine: string, firstContentLine = firstLine): FileSample {
  return { fileBytes: 100, firstLine, firstContentLine, averageLineBytes: 20 };
}

const SHA1 = '0123456789abcdef0123456789abcdef01234567';

describe('resolveFormat', () => {
  it.each([
    ['data.mtx', '1 2 3', 'mtx'],
    ['data.txt', '%%MatrixMarket matrix coordinate real general', 'mtx'],
    ['data.txt', '%%matrixmarket MATRIX coordinate pattern general', 'mtx'],
    ['usersha1-artmbid-artname-plays.tsv', 'x\ty', 'lastfm360k'],
    ['plays.tsv', `${SHA1}\t\tsome band\t12`, 'lastfm360k'],
    ['u.data', '1\t2\t3\t4', 'movielens'],
    ['ua.base', '1\t2\t3\t4', 'movielens'],
    ['ratings.dat', '1::2::3::4', 'movielens'],
    ['anything.txt', '1::2::3::4', 'movielens'],
    ['ratings.csv', 'userId,movieId,rating,timestamp', 'movielens'],
    ['ratings.csv', 'user,item,rating', 'csv'],
    ['clicks.tsv', 'a\tb\t1', 'triplets'],
    ['clicks', 'a b 1', 'triplets'],
  ])('reads %s starting with %j as %s', (name, firstLine, expected) => {
    expect(resolveFormat('auto', `/data/${name}`, sampleOf(firstLine), false)).toBe(expected);
  });

  it('keeps an explicit format', () => {
    expect(resolveFormat('csv', '/data/u.data', sampleOf('1\t2\t3\t4'), false)).toBe('csv');
  });

  it('chooses only mtx, csv or triplets when generic columns were given', () => {
    expect(resolveFormat('auto', '/data/plays.tsv', sampleOf(`${SHA1}\t\tband\t12`), true)).toBe('triplets');
    expect(resolveFormat('auto', '/data/ratings.csv', sampleOf('userId,movieId,rating,timestamp'), true)).toBe('csv');
    expect(resolveFormat('auto', '/data/m.mtx', sampleOf(''), true)).toBe('mtx');
  });
});

describe('guessDelimiter', () => {
  it('prefers tab, then comma, semicolon and space', () => {
    expect(guessDelimiter(sampleOf('a,b\tc'), '?')).toBe('\t');
    expect(guessDelimiter(sampleOf('a;b,c'), '?')).toBe(',');
    expect(guessDelimiter(sampleOf('a;b c'), '?')).toBe(';');
    expect(guessDelimiter(sampleOf('a b'), '?')).toBe(' ');
    expect(guessDelimiter(sampleOf('ab'), '?')).toBe('?');
  });
});

describe('sampleFile', () => {
  it('skips the BOM, blank lines and comments for the first content line', async () => {
    const path = writeTemp('sample-head.tsv', '\ufeff# header comment\r\n\r\nu1\ti1\t1\r\nu2\ti2\t2\r\n');
    const sample = await sampleFile(path);
    expect(sample.firstLine).toBe('# header comment');
    expect(sample.firstContentLine).toBe('u1\ti1\t1');
    expect(sample.fileBytes).toBe(41);
  });

  it('describes an empty file', async () => {
    const sample = await sampleFile(writeTemp('empty-sample.tsv', ''));
    expect(sample.firstLine).toBeUndefined();
    expect(sample.firstContentLine).toBeUndefined();
  });
});

describe('auto detection end to end', () => {
  it.each([
    ['lastfm-360k-sample.tsv', 'lastfm360k'],
    ['movielens-100k-u.data', 'movielens'],
    ['movielens-ratings.csv', 'movielens'],
    ['movielens-ratings-bom-no-final-newline.csv', 'movielens'],
    ['movielens-1m-ratings.dat', 'movielens'],
    ['matrix-market-real.mtx', 'mtx'],
    ['matrix-market-pattern.mtx', 'mtx'],
    ['matrix-market-integer.mtx', 'mtx'],
    ['triplets.tsv', 'triplets'],
    ['triplets-with-header.csv', 'csv'],
  ])('detects %s as %s', async (name, format) => {
    expect((await loadInteractions(samplePath(name))).format).toBe(format);
  });
});
