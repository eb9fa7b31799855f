// Format detection for `format: 'auto'`: looks at the file name and the first 64 KiB of the file.

import { basename, extname } from 'node:path';
import { type DelimitedLayout, LASTFM_USER_ID, MOVIELENS_CSV_HEADER, movielensCsvLayout, movielensDatLayout, movielensTabLayout, type InteractionFormat, type ResolvedFormat } from './formats.js';
import { openForReading } from './line-reader.js';

const SAMPLE_BYTES = 64 * 1024;
/** MovieLens rating files: 100K u.data and its splits u1.base ... ub.test, 1M ratings.dat. */
const MOVIELENS_FILE_NAME = /(^|[-_.])(u\.data|u[1-5ab]\.(base|test)|ratings\.dat)$/;

/** The head of a file, read once to choose a format and size the triplet arrays. */
export interface FileSample {
  fileBytes: number;
  /** The first line without BOM and line ending; undefined for an empty file. */
  firstLine: string | undefined;
  /** The first line that is neither blank nor a `#` comment. */
  firstContentLine: string | undefined;
  /** Mean bytes per line over the complete lines of the sample (the whole sample when it has none). */
  averageLineBytes: number;
}

/** Reads the first 64 KiB of `path`. Throws InputError `invalid_file` when it cannot be read. */
export async function sampleFile(path: string): Promise<FileSample> {
  const handle = await openForReading(path);
  try {
    const fileBytes = (await handle.stat()).size;
    const buffer = Buffer.alloc(Math.min(SAMPLE_BYTES, Math.max(fileBytes, 1)));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    let text = buffer.toString('utf8', 0, bytesRead);
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

    const lines = text.split('\n');
    const completeLines = bytesRead < fileBytes ? lines.length - 1 : lines.length;
    const clean = (line: string) => (line.endsWith('\r') ? line.slice(0, -1) : line);
    const firstLine = bytesRead === 0 ? undefined : clean(lines[0]);
    const firstContentLine = lines.map(clean).find((line, index) => index < completeLines && line.trim() !== '' && !line.startsWith('#'));
    return { fileBytes, firstLine, firstContentLine, averageLineBytes: bytesRead / Math.max(1, completeLines) };
  } finally {
    await handle.close();
  }
}

/**
 * Resolves `auto` for `path`. The first matching rule wins:
 *
 * 1. mtx: a MatrixMarket banner, or a .mtx or .mm name.
 * 2. lastfm360k: the Last.fm 360K file name, or a 4-column tab line starting with a 40-digit hex sha1.
 * 3. movielens: u.data, u1.base ... ub.test or ratings.dat, the ratings.csv header, or a 4-field "::" line.
 * 4. csv: any other .csv name.
 * 5. triplets: everything else.
 *
 * With `genericColumns` (the caller chose columns or a delimiter) rules 2 and 3 are skipped.
 */
export function resolveFormat(requested: InteractionFormat, path: string, sample: FileSample, genericColumns: boolean): ResolvedFormat {
  if (requested !== 'auto') return requested;
  const name = basename(path).toLowerCase();
  const extension = extname(name);
  const firstLine = sample.firstLine ?? '';
  const content = sample.firstContentLine ?? '';

  if (/^%%matrixmarket/i.test(firstLine) || extension === '.mtx' || extension === '.mm') return 'mtx';
  if (!genericColumns) {
    const tabFields = content.split('\t');
    if (name.startsWith('usersha1-artmbid-artname-plays') || (tabFields.length === 4 && LASTFM_USER_ID.test(tabFields[0]))) return 'lastfm360k';
    if (MOVIELENS_FILE_NAME.test(name) || content === MOVIELENS_CSV_HEADER || content.split('::').length === 4) return 'movielens';
  }
  return extension === '.csv' ? 'csv' : 'triplets';
}

/** Picks the MovieLens variant from the first content line: "::" (ratings.dat), tabs (u.data), else commas (ratings.csv). */
export function movielensLayoutFor(sample: FileSample): DelimitedLayout {
  const content = sample.firstContentLine ?? '';
  if (content.includes('::')) return movielensDatLayout;
  if (content.includes('\t') || !content.includes(',')) return movielensTabLayout;
  return movielensCsvLayout;
}

/** Guesses the delimiter of a triplets file from its first content line: tab, comma, semicolon, else space. */
export function guessDelimiter(sample: FileSample, fallback: string): string {
  const content = sample.firstContentLine;
  if (content === undefined) return fallback;
  for (const candidate of ['\t', ',', ';', ' ']) {
    if (content.includes(candidate)) return candidate;
  }
  return fallback;
}
