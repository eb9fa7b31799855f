// Writes a full-size synthetic model file with random factors of Last.fm 360K's shape (358,868 users x
// 292,385 items) and a random training matrix of about 14 million interactions, in about a minute.
// It suits file-format and load-time checks. For serving throughput use fit-model.ts instead, because
// the pruned top-N kernel relies on the norm skew of fitted item factors, which random factors lack.
//
//   npx tsx scripts/serve-bench/build-model.ts OUT.osm [factors=64] [nnz=14000000]

import { AlternatingLeastSquares } from '../../src/als/index.js';
import { CsrMatrix } from '../../src/csr/csr-matrix.js';
import { IdMap } from '../../src/csr/id-map.js';
import { Random } from '../../src/random.js';
import { LASTFM_360K_ITEMS, LASTFM_360K_USERS } from '../../src/synthetic/index.js';

const [out, factorsText = '64', nnzText = '14000000'] = process.argv.slice(2);
if (out === undefined) throw new Error('usage: build-model.ts OUT.osm [factors] [nnz]');
const factors = Number(factorsText);
const targetNnz = Number(nnzText);
const nUsers = LASTFM_360K_USERS;
const nItems = LASTFM_360K_ITEMS;
const random = new Random(1);

const started = performance.now();
// Factors uniform in [-0.1, 0.1): the scale does not change the scoring cost.
const randomFactors = (rows: number) => Float32Array.from({ length: rows * factors }, () => (random.next() - 0.5) * 0.2);
const userFactors = randomFactors(nUsers);
const itemFactors = randomFactors(nItems);

// Each user gets about targetNnz / nUsers distinct random items with play counts 1 to 100.
const perUser = targetNnz / nUsers;
const indptr = new Uint32Array(nUsers + 1);
const rows: Uint32Array[] = [];
for (let u = 0; u < nUsers; u++) {
  const count = Math.max(1, Math.round(perUser * 2 * random.next()));
  const items = new Set<number>();
  while (items.size < count) items.add(random.nextInt(nItems));
  const row = Uint32Array.from(items).sort();
  rows.push(row);
  indptr[u + 1] = indptr[u] + row.length;
}
const indices = new Uint32Array(indptr[nUsers]);
rows.forEach((row, u) => indices.set(row, indptr[u]));
const data = Float32Array.from({ length: indices.length }, () => 1 + random.nextInt(100));
const userItems = new CsrMatrix({ indptr, indices, data, shape: [nUsers, nItems] }, { validate: false });

// Ids shaped like Last.fm's: 40-character hex user hashes and short artist-like item names.
const hex = (value: number) => value.toString(16).padStart(8, '0');
const userIds = new IdMap(Array.from({ length: nUsers }, (_, u) => `${hex(u)}${hex(u * 7919)}${hex(u * 104729)}${hex(u ^ 0x5bd1e995)}${hex(u * 31)}`));
const itemIds = new IdMap(Array.from({ length: nItems }, (_, i) => `artist ${i}`));

const model = await AlternatingLeastSquares.fromContents(
  {
    options: { factors, regularization: 0.01, alpha: 1, iterations: 15, solver: 'cg', cgSteps: 3, calculateTrainingLoss: false },
    userFactors,
    itemFactors,
    userItems,
    userIds,
    itemIds,
    training: { losses: [], source: 'synthetic random factors (scripts/serve-bench/build-model.ts)' },
  },
  { device: 'cpu', threads: 1 },
);
await model.save(out);
await model.dispose();
process.stdout.write(`wrote ${out}: ${nUsers} x ${nItems}, ${factors} factors, ${userItems.nnz} interactions, in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
