// Measures how fast loadInteractions reads a Last.fm 360K-format TSV (user sha1, artist mbid, artist
// name, plays). The file is written once from the synthetic generator into the temp folder, with
// 40-hex-digit user ids, 36-character mbids and short artist names, so its lines are about as long
// as the real file's. Reports lines per second for each run and their median.
// Usage: npx tsx scripts/bench-load.ts [--scale 1] [--runs 3] [--keep] [--parser auto|typescript|both]
//   --parser  auto (default) uses the WebAssembly fast path when it loads, typescript uses the
//             TypeScript parser alone, and both alternates the two and reports a median for each

import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadInteractions } from '../src/io/index.js';
import { type LoaderKernelChoice, loaderKernelFailure, setLoaderKernelChoice } from '../src/io/loader-kernel.js';
import { generateLastfmLike } from '../src/synthetic/index.js';

const { values: flags } = parseArgs({
  options: {
    scale: { type: 'string', default: '1' },
    runs: { type: 'string', default: '3' },
    keep: { type: 'boolean', default: false },
    parser: { type: 'string', default: 'auto' },
  },
});
const parsers: LoaderKernelChoice[] = flags.parser === 'both' ? ['typescript', 'auto'] : [flags.parser === 'typescript' ? 'typescript' : 'auto'];

/** Writes the synthetic set as a Last.fm 360K TSV and returns the number of lines. */
async function writeLastfmFile(path: string, scale: number): Promise<number> {
  const data = generateLastfmLike({ scale, seed: 1 });
  const { indptr, indices, data: plays, nRows } = data.userItems;
  const itemColumns = Array.from({ length: data.userItems.nCols }, (_, item) => {
    const mbid = createHash('md5').update(`item ${item}`).digest('hex');
    return `${mbid.slice(0, 8)}-${mbid.slice(8, 12)}-${mbid.slice(12, 16)}-${mbid.slice(16, 20)}-${mbid.slice(20, 32)}\tartist ${item}`;
  });
  const out = createWriteStream(path);
  let lines = 0;
  let chunk = '';
  for (let user = 0; user < nRows; user++) {
    const sha1 = createHash('sha1').update(`user ${user}`).digest('hex');
    for (let k = indptr[user]; k < indptr[user + 1]; k++) {
      chunk += `${sha1}\t${itemColumns[indices[k]]}\t${plays[k]}\n`;
      lines++;
    }
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      chunk = '';
    }
  }
  out.write(chunk);
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return lines;
}

const path = join(tmpdir(), `osusume-bench-load-${process.pid}.tsv`);
const lines = await writeLastfmFile(path, Number(flags.scale));
console.log(`wrote ${lines} lines to ${path}`);

const rates = new Map<LoaderKernelChoice, number[]>(parsers.map((parser) => [parser, []]));
try {
  for (let run = 0; run < Number(flags.runs); run++) {
    for (const parser of parsers) {
      setLoaderKernelChoice(parser);
      const started = performance.now();
      const loaded = await loadInteractions(path, { format: 'lastfm360k' });
      const seconds = (performance.now() - started) / 1000;
      rates.get(parser)?.push(lines / seconds);
      const label = parsers.length > 1 ? ` (${parser})` : '';
      console.log(`run ${run + 1}${label}: ${seconds.toFixed(2)} s, ${Math.round(lines / seconds)} lines/s, ${loaded.userItems.nnz} pairs, peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
    }
  }
} finally {
  if (!flags.keep) await rm(path, { force: true });
}
const failure = loaderKernelFailure();
if (failure !== undefined) console.log(`note: ${failure}`);
for (const [parser, parserRates] of rates) {
  parserRates.sort((a, b) => a - b);
  const label = parsers.length > 1 ? ` (${parser})` : '';
  console.log(`median${label}: ${Math.round(parserRates[Math.floor((parserRates.length - 1) / 2)])} lines/s`);
}
