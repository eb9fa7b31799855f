// Small archives in the layouts of the real data sets, built in memory for the download tests.

import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tar from 'tar';
import yazl from 'yazl';
import { expect } from 'vitest';
import type { Interactions } from '../../../src/csr/interactions.js';
import { findDataset } from '../../../src/io/catalogue.js';
import type { FetchableEntry } from '../../../src/io/datasets/fetch-options.js';

/** MovieLens 100K u.data lines: user, item, rating, timestamp. User 3 rates item 10 twice, so they sum. */
export const ML_100K_LINES = [
  '196\t242\t3\t881250949',
  '186\t302\t3\t891717742',
  '22\t377\t1\t878887116',
  '196\t51\t2\t880606923',
  '3\t10\t4\t889237455',
  '3\t10\t1\t889237456',
  '22\t242\t5\t881171488',
].join('\n');

/**
 * Rows in Last.fm 360K's layout: user sha1, artist MusicBrainz id (sometimes empty), artist name,
 * plays. The ids and names are made up.
 */
export const LASTFM_LINES = [
  '0000000000000000000000000000000000000a01\t11111111-1111-4111-8111-111111111111\tartist one\t2137',
  '0000000000000000000000000000000000000a01\t22222222-2222-4222-8222-222222222222\tkünstler zwei\t1099',
  '0000000000000000000000000000000000000b02\t\tartist three\t45',
  '0000000000000000000000000000000000000b02\t22222222-2222-4222-8222-222222222222\tkünstler zwei\t12',
  '0000000000000000000000000000000000000c03\t11111111-1111-4111-8111-111111111111\tartist one\t7',
].join('\n');

export const LASTFM_MEMBER = 'lastfm-dataset-360K/usersha1-artmbid-artname-plays.tsv';

export function md5(bytes: Buffer | string): string {
  return createHash('md5').update(bytes).digest('hex');
}

/** Returns a zip archive containing `files` (archive path -> content). */
export function makeZip(files: Record<string, string | Buffer>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [path, content] of Object.entries(files)) zip.addBuffer(Buffer.from(content), path);
  zip.end();
  return collect(zip.outputStream);
}

/** Returns a gzip-compressed tar archive containing `files` (archive path -> content). */
export async function makeTarGz(files: Record<string, string | Buffer>): Promise<Buffer> {
  const folder = await mkdtemp(join(tmpdir(), 'osusume-tar-'));
  try {
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(folder, path)), { recursive: true });
      await writeFile(join(folder, path), content);
    }
    await tar.c({ gzip: true, cwd: folder, file: join(folder, 'archive.tar.gz'), portable: true }, Object.keys(files));
    return await readFile(join(folder, 'archive.tar.gz'));
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Returns the catalogue entry `name` pointed at `url` with the archive's real size and MD5, so the
 * test exercises the catalogue's member path and format with an archive made here.
 */
export function entryFor(name: string, url: string, archive: Buffer, overrides: Partial<FetchableEntry['archive']> = {}): FetchableEntry {
  const entry = findDataset(name);
  if (entry === undefined) throw new Error(`catalogue has no entry ${name}`);
  return { ...entry, archive: { ...entry.archive, url, bytes: archive.length, md5: md5(archive), ...overrides } };
}

export async function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `osusume-${prefix}-`));
}

/** Asserts that two Interactions contain the same ids, names, stats and CSR arrays. */
export function expectSameInteractions(actual: Interactions, expected: Interactions): void {
  expect(actual.userIds.toArray()).toEqual(expected.userIds.toArray());
  expect(actual.itemIds.toArray()).toEqual(expected.itemIds.toArray());
  expect(actual.itemNames).toEqual(expected.itemNames);
  expect(actual.userItems.shape).toEqual(expected.userItems.shape);
  expect(Array.from(actual.userItems.indptr)).toEqual(Array.from(expected.userItems.indptr));
  expect(Array.from(actual.userItems.indices)).toEqual(Array.from(expected.userItems.indices));
  expect(Array.from(actual.userItems.data)).toEqual(Array.from(expected.userItems.data));
  expect(actual.stats).toEqual(expected.stats);
}
