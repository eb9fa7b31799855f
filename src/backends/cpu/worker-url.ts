// Locates the worker entry: worker.js next to this module in the built package, or worker.ts when
// this module itself runs from TypeScript source (tests, tsx), loaded through tsx's ESM hooks.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Returns the URL to pass to `new Worker`. */
export function resolveWorkerUrl(): URL {
  if (!import.meta.url.endsWith('.ts')) return new URL('./worker.js', import.meta.url);

  // A worker cannot load .ts by itself, and on Node 20 a `--import tsx` in execArgv does not reach
  // the worker's entry module. So the entry is a small module that registers tsx, then imports worker.ts.
  const workerTs = new URL('./worker.ts', import.meta.url).href;
  const bootstrap = [
    `import { register } from ${JSON.stringify(resolveTsxEsmApi())};`,
    'register();',
    `await import(${JSON.stringify(workerTs)});`,
  ].join('\n');
  return new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`);
}

/** Resolves the file URL of tsx's `tsx/esm/api` export (ESM condition) through its package.json. */
function resolveTsxEsmApi(): string {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    exports: Record<string, string | { import?: { default?: string } }>;
  };
  const entry = manifest.exports['./esm/api'];
  const relative = typeof entry === 'string' ? entry : entry?.import?.default;
  if (relative === undefined) {
    throw new Error(`tsx at ${manifestPath} has no "./esm/api" import export; install tsx 4 to run the CPU backend from TypeScript source`);
  }
  return pathToFileURL(join(dirname(manifestPath), relative)).href;
}
