// Times loading a model file: the file read with checksum and CSR checks, then the backend start and
// the first scorer, each three times (the first run includes the WebAssembly compile of the checksum).
//
//   npx tsx scripts/serve-bench/time-load.ts MODEL.osm

import { AlternatingLeastSquares } from '../../src/als/index.js';
import { readModelFile } from '../../src/io/model-file/index.js';

const [path] = process.argv.slice(2);
if (path === undefined) throw new Error('usage: time-load.ts MODEL.osm');

for (let run = 1; run <= 3; run++) {
  let started = performance.now();
  await readModelFile(path);
  const verified = performance.now() - started;
  started = performance.now();
  await readModelFile(path, { verify: 'none' });
  const unverified = performance.now() - started;
  started = performance.now();
  const model = await AlternatingLeastSquares.load(path, { device: 'cpu' });
  const loaded = performance.now() - started;
  await model.scoreTopN({ queries: new Float32Array(model.factors), n: 10 });
  const firstScore = performance.now() - started - loaded;
  await model.dispose();
  process.stdout.write(
    `run ${run}: readModelFile ${verified.toFixed(0)} ms (verify none ${unverified.toFixed(0)} ms); AlternatingLeastSquares.load with backend start ${loaded.toFixed(0)} ms; first scorer + query ${firstScore.toFixed(0)} ms\n`,
  );
}
