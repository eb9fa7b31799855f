// Times loading a model file: readModelFile with checksums (verify 'full'), readModelFile without them,
// and AlternatingLeastSquares.load on the CPU backend (backend start included), then the first scorer
// and query. Each is run `runs` times and the medians are printed; the first run includes the
// WebAssembly compile of the checksum.
//
//   npx tsx scripts/serve-bench/time-load.ts MODEL.osm [runs=5]

import { AlternatingLeastSquares } from '../../src/als/index.js';
import { readModelFile } from '../../src/io/model-file/index.js';

const [path, runsText = '5'] = process.argv.slice(2);
if (path === undefined) throw new Error('usage: time-load.ts MODEL.osm [runs]');
const runs = Number(runsText);

const timings: Record<'verified' | 'unverified' | 'load' | 'firstQuery', number[]> = { verified: [], unverified: [], load: [], firstQuery: [] };
for (let run = 1; run <= runs; run++) {
  let started = performance.now();
  await readModelFile(path);
  timings.verified.push(performance.now() - started);
  started = performance.now();
  await readModelFile(path, { verify: 'none' });
  timings.unverified.push(performance.now() - started);
  started = performance.now();
  const model = await AlternatingLeastSquares.load(path, { device: 'cpu' });
  timings.load.push(performance.now() - started);
  started = performance.now();
  await model.scoreTopN({ queries: model.userFactors.subarray(0, model.factors), n: 10 });
  timings.firstQuery.push(performance.now() - started);
  await model.dispose();
  const last = (name: keyof typeof timings) => timings[name][run - 1].toFixed(0);
  process.stdout.write(`run ${run}: readModelFile ${last('verified')} ms (verify none ${last('unverified')} ms); load with backend start ${last('load')} ms; first scorer + query ${last('firstQuery')} ms\n`);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)].toFixed(0);
process.stdout.write(
  `median of ${runs}: readModelFile ${median(timings.verified)} ms (verify none ${median(timings.unverified)} ms); load with backend start ${median(timings.load)} ms; first scorer + query ${median(timings.firstQuery)} ms\n`,
);
