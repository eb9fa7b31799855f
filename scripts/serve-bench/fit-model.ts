// Writes a full-size fitted model file for serving measurements: the synthetic Last.fm 360K-shaped set
// (358,868 users x 292,385 items) fitted with 15 CG iterations on the CPU backend. The pruned top-N
// kernel relies on the norm skew of fitted item factors, so random factors would overstate its cost.
//
//   npx tsx scripts/serve-bench/fit-model.ts OUT.osm [factors=64] [scale=1]

import { AlternatingLeastSquares } from '../../src/als/index.js';
import { generateLastfmLike } from '../../src/synthetic/index.js';

const [out, factorsText = '64', scaleText = '1'] = process.argv.slice(2);
if (out === undefined) throw new Error('usage: fit-model.ts OUT.osm [factors] [scale]');

const started = performance.now();
const data = generateLastfmLike({ scale: Number(scaleText), seed: 1 });
const model = new AlternatingLeastSquares({ factors: Number(factorsText), iterations: 15, regularization: 0.01, alpha: 1, seed: 1, device: 'cpu' });
try {
  await model.fit(data);
  await model.save(out);
} finally {
  await model.dispose();
}
const seconds = ((performance.now() - started) / 1000).toFixed(1);
process.stdout.write(`wrote ${out}: ${data.userIds.size} x ${data.itemIds.size}, ${model.factors} factors, ${data.userItems.nnz} interactions, in ${seconds} s\n`);
