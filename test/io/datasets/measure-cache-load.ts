// Measures writeCsrCache and readCsrCache on a synthetic matrix of Last.fm 360K's size.
// Run: npx tsx test/io/datasets/measure-cache-load.ts [scale]   (scale 1 = 358,868 x 292,385, 17.5M nnz)
// Not a vitest suite: tests assert nothing about timing.

import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CsrMatrix } from '../../../src/csr/csr-matrix.js';
import { IdMap } from '../../../src/csr/id-map.js';
import { emptyStats, type Interactions } from '../../../src/csr/interactions.js';
import { readCsrCache } from '../../../src/io/datasets/csr-cache-reader.js';
import { writeCsrCache } from '../../../src/io/datasets/csr-cache-writer.js';

const LASTFM_USERS = 358_868;
const LASTFM_ITEMS = 292_385;
const LASTFM_NNZ = 17_535_655;

/** Builds a deterministic users x items matrix with sorted, unique columns and sha1-like user ids. */
function syntheticInteractions(scale: number): Interactions {
  const nUsers = Math.round(LASTFM_USERS * scale);
  const nItems = Math.round(LASTFM_ITEMS * scale);
  const perUser = Math.round(LASTFM_NNZ / LASTFM_USERS);
  const indptr = new Uint32Array(nUsers + 1);
  const indices = new Uint32Array(nUsers * perUser);
  const data = new Float32Array(nUsers * perUser);
  const stride = Math.floor(nItems / perUser);
  let seed = 12345;
  for (let u = 0; u < nUsers; u++) {
    const base = u * perUser;
    // One column per stride-wide band keeps each row sorted and unique without sorting.
    for (let k = 0; k < perUser; k++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      indices[base + k] = k * stride + (seed % stride);
      data[base + k] = 1 + (seed % 1000);
    }
    indptr[u + 1] = base + perUser;
  }
  const userItems = new CsrMatrix({ indptr, indices, data, shape: [nUsers, nItems] }, { validate: false });
  const userIds = new IdMap();
  for (let u = 0; u < nUsers; u++) userIds.add(`${u.toString(16).padStart(8, '0')}${'a'.repeat(32)}`);
  const itemIds = new IdMap();
  const itemNames: string[] = [];
  for (let i = 0; i < nItems; i++) {
    itemIds.add(`artist ${i}`);
    itemNames.push(`artist ${i}`);
  }
  return { userIds, itemIds, userItems, itemNames, stats: emptyStats() };
}

/**
 * Loads the cache three times with CRC-32 checks, then once without them. Prints wall time and CPU
 * time (user + system, from process.cpuUsage), because wall time on a shared machine includes waits.
 */
async function measureLoads(path: string): Promise<void> {
  const runs: string[] = [];
  for (let run = 0; run < 4; run++) {
    const verifyChecksums = run < 3;
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    await readCsrCache(path, { verifyChecksums });
    const cpu = process.cpuUsage(cpuStart);
    const wallMs = performance.now() - start;
    runs.push(`${verifyChecksums ? '' : 'without CRC-32: '}${wallMs.toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU`);
  }
  console.log(`load: ${runs.join('; ')}`);
}

if (process.argv[2] === '--load') {
  await measureLoads(process.argv[3]);
} else {
  const scale = Number(process.argv[2] ?? '1');
  const folder = await mkdtemp(join(tmpdir(), 'osusume-cache-timing-'));
  try {
    const path = join(folder, 'synthetic.csr.bin');
    const interactions = syntheticInteractions(scale);
    const start = performance.now();
    const bytes = await writeCsrCache(path, interactions, { origin: 'synthetic' });
    const writeMs = performance.now() - start;
    const { nRows, nCols, nnz } = interactions.userItems;
    console.log(`shape ${nRows} x ${nCols}, nnz ${nnz}, file ${(bytes / 2 ** 20).toFixed(1)} MiB, write ${writeMs.toFixed(0)} ms`);

    // A fresh process loads the file, as a later run would, without the generator's arrays on its heap.
    execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--load', path], { stdio: 'inherit' });
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
