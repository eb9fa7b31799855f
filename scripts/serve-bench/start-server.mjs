// Starts the recommendation server from the compiled package for a load test, and prints
// "READY <url>" once it listens. Plain JavaScript, so the measured memory has no TypeScript loader in it.
//
//   npm run build && node scripts/serve-bench/start-server.mjs MODEL.osm [maxQueue=256]
//
// OSUSUME_DIST names another build folder (default: dist/ of this checkout). SERVE_OPTIONS, a JSON
// object, overrides server options, for example '{"windowMs":2,"maxBatch":64}'.

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [modelPath, maxQueue = '256'] = process.argv.slice(2);
if (modelPath === undefined) throw new Error('usage: start-server.mjs MODEL.osm [maxQueue]');
const dist = process.env.OSUSUME_DIST ?? join(import.meta.dirname, '..', '..', 'dist');
const { createRecommendServer } = await import(pathToFileURL(join(dist, 'serve', 'index.js')).href);

const overrides = JSON.parse(process.env.SERVE_OPTIONS ?? '{}');
const server = await createRecommendServer({ modelPath, port: 0, device: 'cpu', maxQueue: Number(maxQueue), logLevel: 'warn', ...overrides });
process.stdout.write(`READY ${await server.listen()}\n`);
process.on('SIGTERM', () => void server.close());
