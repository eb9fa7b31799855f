// Checks that a Last.fm 360K-sized problem fits the WebGPU backend within the adapter's binding
// limits: uploads the full synthetic set (80% training split) at the given factor counts, runs one
// ALS iteration, reads the factors back and checks they are finite, then ranks the top 10 for a
// sample of users. On lavapipe this proves the buffer and dispatch layout, not GPU speed.
// Usage: npx tsx scripts/webgpu-full-scale.ts [--scale 1] [--factors 64,128] [--users 1000]

import { parseArgs } from 'node:util';
import { initialFactors, toConfidence } from '../src/als/index.js';
import { createWebGpuBackend } from '../src/backends/webgpu/create-backend.js';
import { trainTestSplit } from '../src/evaluate/index.js';
import { Random } from '../src/random.js';
import { gatherCsrRows, gatherRows } from '../src/recommend/batch.js';
import { generateLastfmLike } from '../src/synthetic/index.js';

const { values: flags } = parseArgs({
  options: {
    scale: { type: 'string', default: '1' },
    factors: { type: 'string', default: '64,128' },
    users: { type: 'string', default: '1000' },
  },
});

function seconds(started: number): string {
  return `${((performance.now() - started) / 1000).toFixed(1)} s`;
}

const data = generateLastfmLike({ scale: Number(flags.scale), seed: 1 });
const { train } = trainTestSplit(data.userItems, { testFraction: 0.2, seed: 1 });
const confidence = toConfidence({ ...data, userItems: train }, 1);
const itemUsers = confidence.transpose();
console.log(`data: ${train.nRows} users x ${train.nCols} items, ${train.nnz} training pairs`);

const backend = await createWebGpuBackend();
console.log(`adapter: ${backend.info.description}`);
try {
  for (const factors of flags.factors.split(',').map(Number)) {
    const random = new Random(1);
    let started = performance.now();
    const session = await backend.startFit({
      userItems: confidence,
      itemUsers,
      factors,
      userFactors: initialFactors(train.nRows, factors, random),
      itemFactors: initialFactors(train.nCols, factors, random),
    });
    console.log(`F=${factors}: upload ${seconds(started)}`);

    started = performance.now();
    await session.solve('users', { regularization: 0.01, solver: 'cg', cgSteps: 3 });
    await session.solve('items', { regularization: 0.01, solver: 'cg', cgSteps: 3 });
    console.log(`F=${factors}: one iteration ${seconds(started)}`);

    const userFactors = await session.readFactors('users');
    const itemFactors = await session.readFactors('items');
    await session.dispose();
    const finite = userFactors.every(Number.isFinite) && itemFactors.every(Number.isFinite);
    console.log(`F=${factors}: factors finite: ${finite}`);

    started = performance.now();
    const scorer = await backend.createScorer(itemFactors, factors);
    const users = Uint32Array.from({ length: Number(flags.users) }, (_, k) => Math.floor((k * train.nRows) / Number(flags.users)));
    const exclude = gatherCsrRows(train, users);
    const result = await scorer.topN({ queries: gatherRows(userFactors, factors, users), n: 10, exclude });
    await scorer.dispose();
    const filled = result.ids.filter((id) => id >= 0).length;
    console.log(`F=${factors}: top 10 for ${users.length} users in ${seconds(started)}, ${filled} of ${users.length * 10} slots filled`);
    if (!finite || filled !== users.length * 10) process.exitCode = 1;
  }
} finally {
  await backend.dispose();
}
