import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdMap } from '../../src/csr/id-map.js';
import { InputError } from '../../src/errors.js';
import { loadInteractions, loadTrainTest } from '../../src/io/index.js';
import type { LoadOptions } from '../../src/io/load-options.js';
import { createLoaderKernel, loaderKernelFailure, setLoaderKernelChoice } from '../../src/io/loader-kernel.js';
import { samplePath, writeTemp } from './temp-file.js';

// The WebAssembly fast path must be invisible: every load below runs once with the TypeScript parser
// alone and once with the fast path, and the two results (or errors) must match exactly. Small read
// sizes put many lines, ids and errors across chunk boundaries.

const CHUNK_SIZES = [1024, 1031, 4096];

/** Everything a load returns, as plain data, or the error it threw. */
type Outcome = Record<string, unknown>;

async function outcome(load: () => Promise<unknown>): Promise<Outcome> {
  try {
    return describeResult(await load());
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { message: error.message, code: error.code, details: error.details };
  }
}

function describeResult(value: unknown): Outcome {
  const described: Outcome = {};
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
    if (field instanceof IdMap) described[key] = field.toArray();
    else if (field !== null && typeof field === 'object' && 'indptr' in field) {
      const matrix = field as { indptr: Uint32Array; indices: Uint32Array; data: Float32Array; shape: unknown };
      described[key] = { shape: matrix.shape, indptr: Array.from(matrix.indptr), indices: Array.from(matrix.indices), data: Array.from(matrix.data) };
    } else described[key] = field;
  }
  return described;
}

/** Runs `load` with the TypeScript parser and with the fast path, expects equal outcomes and returns the fast path's. */
async function expectSameOnBothPaths(load: () => Promise<unknown>): Promise<Outcome> {
  setLoaderKernelChoice('typescript');
  const reference = await outcome(load);
  setLoaderKernelChoice('auto');
  const fast = await outcome(load);
  expect(fast).toStrictEqual(reference);
  return fast;
}

/** A small deterministic generator, so each file is the same on every run. */
function randomFrom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function sha1Like(random: () => number): string {
  let text = '';
  for (let k = 0; k < 40; k++) text += Math.floor(random() * 16).toString(16);
  return random() < 0.05 ? text.toUpperCase() : text;
}

const ODD_NAMES = ['ünïcödé örchestra', '架空のバンド', '"quoted"', '#hash', ' leading space', 'x'.repeat(3000), 'a,b;c'];
const ODD_VALUES = ['0', '4.5', '7.', '1e3', '0012', '123456789012345678', '0.000000000000001', 'abc', '-3', '', ' 5', '.5', '.', 'NaN'];
const ODD_LINES = ['', '   ', '\t', '# comment', 'only\ttwo', 'a\tb\tc\td\te', '\tmbid\tname\t3', '\r'];

/** Returns a Last.fm 360K-like file with most users grouped, a few revisited, and odd lines of every kind mixed in. */
function lastfmText(seed: number, lines: number, oddLines: boolean): string {
  const random = randomFrom(seed);
  const users = Array.from({ length: 40 }, () => sha1Like(random));
  const names = Array.from({ length: 60 }, (_, k) => (k < ODD_NAMES.length ? ODD_NAMES[k] : `artist ${k}`));
  const mbids = names.map((_, k) => `${k.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`);
  const out: string[] = [];
  let user = 0;
  for (let line = 0; line < lines; line++) {
    if (random() < 0.08) user = Math.floor(random() * users.length);
    const item = Math.floor(random() ** 2 * names.length);
    const mbid = random() < 0.2 ? '' : mbids[item];
    // Both item columns empty makes an invalid line; only files with odd lines have them.
    const name = random() < 0.05 && (oddLines || mbid !== '') ? '' : names[item];
    const plays = oddLines && random() < 0.05 ? ODD_VALUES[Math.floor(random() * ODD_VALUES.length)] : String(1 + Math.floor(random() * 500));
    const ending = random() < 0.1 ? '\r\n' : '\n';
    if (oddLines && random() < 0.04) out.push(ODD_LINES[Math.floor(random() * ODD_LINES.length)] + ending);
    else out.push(`${users[user]}\t${mbid}\t${name}\t${plays}${ending}`);
  }
  return out.join('');
}

beforeAll(async () => {
  setLoaderKernelChoice('auto');
  // Without the module both runs would take the TypeScript path and prove nothing.
  expect(await createLoaderKernel()).toBeDefined();
  expect(loaderKernelFailure()).toBeUndefined();
});

afterAll(() => setLoaderKernelChoice('auto'));

describe('WebAssembly loader fast path', () => {
  it.each(CHUNK_SIZES)('matches the TypeScript parser on a clean Last.fm file (chunk %i bytes)', async (chunkBytes) => {
    const path = writeTemp(`clean-${chunkBytes}.tsv`, lastfmText(1, 3000, false));
    const result = await expectSameOnBothPaths(() => loadInteractions(path, { format: 'lastfm360k', chunkBytes }));
    expect((result.stats as { rows: number }).rows).toBe(3000);
  });

  it.each(CHUNK_SIZES)('matches it on odd lines skipped as invalid (chunk %i bytes)', async (chunkBytes) => {
    const path = writeTemp(`odd-${chunkBytes}.tsv`, lastfmText(2, 3000, true));
    const result = await expectSameOnBothPaths(() => loadInteractions(path, { format: 'lastfm360k', chunkBytes, invalidLines: 'skip' }));
    expect((result.stats as { invalidLinesSkipped: number }).invalidLinesSkipped).toBeGreaterThan(10);
  });

  it('matches with header, BOM and options', async () => {
    const text = `\ufeffuser_sha1\tartist_mbid\tartist_name\tplays\n${lastfmText(3, 2000, true).trimEnd()}`;
    const path = writeTemp('header.tsv', text);
    for (const options of [{ binary: true }, { lastfmItemKey: 'mbid' as const }, {}]) {
      await expectSameOnBothPaths(() => loadInteractions(path, { format: 'lastfm360k', chunkBytes: 1024, invalidLines: 'skip', ...options }));
    }
  });

  it('throws identical errors across chunk positions', async () => {
    const lines = lastfmText(4, 400, false).split(/(?<=\n)/);
    for (const invalid of ['abc', '-1', '1e999']) {
      for (let at = 30; at < 60; at++) {
        const text = [...lines.slice(0, at), `${lines[at].split('\t').slice(0, 3).join('\t')}\t${invalid}\n`, ...lines.slice(at + 1)].join('');
        const path = writeTemp(`error-${invalid}-${at}.tsv`, text);
        const result = await expectSameOnBothPaths(() => loadInteractions(path, { format: 'lastfm360k', chunkBytes: 1024 }));
        expect(result.message).toMatch(new RegExp(`:${at + 1}: value`));
      }
    }
  });

  it('matches on lines longer than reads', async () => {
    const user = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00';
    // The second name is longer than a key block of the fast path (1 MiB), which then takes a block of its own.
    for (const repeat of [2000, 250_000]) {
      const text = `${user}\t\tfirst\t3\n${user}\t\t${'long '.repeat(repeat)}\t4\n${user}\t\tfirst\t5\n${user}\t\tlast\t6\n`;
      await expectSameOnBothPaths(() => loadInteractions(writeTemp(`long-${repeat}.tsv`, text), { format: 'lastfm360k', chunkBytes: 4096 }));
    }
  });

  it('matches it on generic delimited layouts', async () => {
    const random = randomFrom(5);
    const rows = Array.from({ length: 3000 }, () => [`u${Math.floor(random() * 90)}`, `i${Math.floor(random() * 200)}`, String(1 + Math.floor(random() * 5)), '881250949']);
    const csv = writeTemp('generic.csv', `user,item,rating,time\n${rows.map((row) => row.join(',')).join('\n')}\n`);
    const semicolons = writeTemp('generic.txt', rows.map((row) => [row[3], row[2], row[1], row[0]].join(';')).join('\r\n'));
    const dat = writeTemp('generic.dat', rows.map((row) => row.join('::')).join('\n'));
    await expectSameOnBothPaths(() => loadInteractions(csv, { format: 'csv', chunkBytes: 1024 }));
    await expectSameOnBothPaths(() => loadInteractions(csv, { format: 'csv', valueColumn: null, chunkBytes: 1024 }));
    await expectSameOnBothPaths(() => loadInteractions(semicolons, { format: 'triplets', delimiter: ';', userColumn: 3, itemColumn: 2, valueColumn: 1, chunkBytes: 1024 }));
    await expectSameOnBothPaths(() => loadInteractions(dat, { format: 'triplets', delimiter: '::', chunkBytes: 1024 }));
  });

  it('merges invalid UTF-8 ids like TypeScript', async () => {
    const lines: Uint8Array[] = [];
    for (let k = 0; k < 200; k++) {
      const user = Buffer.from(`u${k % 7}\t`);
      const item = Buffer.from([0x69, 0xff - (k % 3), 0x74]); // "i", an invalid byte, "t"
      lines.push(Buffer.concat([user, item, Buffer.from(`\t${1 + (k % 4)}\n`)]));
    }
    const result = await expectSameOnBothPaths(() => loadInteractions(writeTemp('invalid-utf8.tsv', Buffer.concat(lines)), { format: 'triplets', chunkBytes: 1024 }));
    expect(result.itemIds).toEqual(['i\ufffdt']);
  });

  it('matches it on the hand-written samples', async () => {
    for (const name of ['lastfm-360k-sample.tsv', 'movielens-100k-u.data', 'movielens-ratings-bom-no-final-newline.csv', 'triplets-with-header.csv', 'triplets.tsv']) {
      await expectSameOnBothPaths(() => loadInteractions(samplePath(name)));
    }
  });

  it('matches shared and given id spaces', async () => {
    const train = writeTemp('train.tsv', lastfmText(6, 2500, true));
    const test = writeTemp('test.tsv', lastfmText(7, 800, true));
    await expectSameOnBothPaths(() => loadTrainTest(train, test, { format: 'lastfm360k', chunkBytes: 1024, invalidLines: 'skip' }));
    const dat = writeTemp('test.dat', 'a::x::1\nb::artist 3::2\n');
    const triplets = writeTemp('train.txt', 'a\tx\t1\nc\ty\t2\n'.repeat(300));
    await expectSameOnBothPaths(() => loadTrainTest(triplets, dat, { chunkBytes: 1024 }));
    await expectSameOnBothPaths(() => loadTrainTest(dat, triplets, { chunkBytes: 1024 }));
    await expectSameOnBothPaths(() => loadTrainTest(triplets, samplePath('matrix-market-integer.mtx'), { chunkBytes: 1024 }));
    const options = (): LoadOptions => ({ format: 'lastfm360k', chunkBytes: 1024, invalidLines: 'skip', itemIds: new IdMap(['artist 9', 'artist 3']) });
    await expectSameOnBothPaths(() => loadInteractions(train, options()));
  });
});
