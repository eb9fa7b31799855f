// Times loading a model file: readModelFile with checksums (verify 'full'), readModelFile without them,
// and AlternatingLeastSquares.load on the CPU backend (backend start included), then the first scorer
// and query. Each is run `runs` times and the medians are printed; the first run includes the
// WebAssembly compile of the checksum.
//
//   npx tsx scripts/serve-bench/time-load.ts MODEL.osm [runs=5]
//
// From the sources, each CPU worker registers tsx and compiles its TypeScript before it is ready, which
// the built package (what `osusume serve` runs) does not do. With OSUSUME_DIST naming a build folder
// (`npm run build` writes dist/), AlternatingLeastSquares.load from that build is timed as well, in
// the same runs, so the two can be compared under the same load.

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AlternatingLeastSquares } from '../../src/als/index.js';
import { readModelFile } from '../../src/io/model-file/index.js';

const [path, runsText = '5'] = process.argv.slice(2);
if (path === undefined) throw new Error('usage: time-load.ts MODEL.osm [runs]');
const runs = Number(runsText);
const dist = process.env.OSUSUME_DIST;
const BuiltModel: typeof AlternatingLeastSquares | undefined =
  dist === undefined ? undefined : ((await import(pathToFileURL(join(dist, 'als', 'model.js')).href)) as { AlternatingLeastSquares: typeof AlternatingLeastSquares }).AlternatingLeastSquares;

const timings: Record<'verified' | 'unverified' | 'load' | 'builtLoad' | 'firstQuery', number[]> = { verified: [], unverified: [], load: [], builtLoad: [], firstQuery: [] };
for (let run = 1; run <= runs; run++) {
  let started = performance.now();
  await readModelFile(path);
  timings.verified.push(performance.now() - started);
  started = performance.now();
  await readModelFile(path, { verify: 'none' });
  timings.unverified.push(performance.now() - started);
  if (BuiltModel !== undefined) {
    started = performance.now();
    const built = await BuiltModel.load(path, { device: 'cpu' });
    timings.builtLoad.push(performance.now() - started);
    await built.dispose();
  }
  started = performance.now();
  const model = await AlternatingLeastSquares.load(path, { device: 'cpu' });
  timings.load.push(performance.now() - started);
  started = performance.now();
  await model.scoreTopN({ queries: model.userFactors.subarray(0, model.factors), n: 10 });
  timings.firstQuery.push(performance.now() - started);
  await model.dispose();
  const last = (name: keyof typeof timings) => timings[name][run - 1].toFixed(0);
  const builtText = BuiltModel === undefined ? '' : ` (from ${dist}: ${last('builtLoad')} ms)`;
  process.stdout.write(`run ${run}: readModelFile ${last('verified')} ms (verify none ${last('unverified')} ms); load with backend start ${last('load')} ms${builtText}; first scorer + query ${last('firstQuery')} ms\n`);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)].toFixed(0);
const builtMedian = BuiltModel === undefined ? '' : ` (from ${dist}: ${median(timings.builtLoad)} ms)`;
process.stdout.write(
  `median of ${runs}: readModelFile ${median(timings.verified)} ms (verify none ${median(timings.unverified)} ms); load with backend start ${median(timings.load)} ms${builtMedian}; first scorer + query ${median(timings.firstQuery)} ms\n`,
);
