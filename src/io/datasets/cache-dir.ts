// Locations of fetched data sets and their CSR caches on disk.

import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/** File name suffix of a binary CSR cache. */
export const CSR_CACHE_SUFFIX = '.csr.bin';

/**
 * Returns the cache folder: `OSUSUME_CACHE_DIR` when set, else `$XDG_CACHE_HOME/osusume` when
 * XDG_CACHE_HOME is an absolute path (the XDG base directory rules ignore relative ones), else
 * `~/.cache/osusume`. The folder is not created here.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.OSUSUME_CACHE_DIR;
  if (override !== undefined && override !== '') return resolve(override);
  const xdg = env.XDG_CACHE_HOME;
  if (xdg !== undefined && isAbsolute(xdg)) return join(xdg, 'osusume');
  return join(homedir(), '.cache', 'osusume');
}

/** Returns the path of the CSR cache of data set `name` inside `cacheDir`. */
export function csrCachePath(cacheDir: string, name: string): string {
  return join(cacheDir, `${name}${CSR_CACHE_SUFFIX}`);
}

/** Returns the folder for downloaded archives and their `.part` files. */
export function downloadsDir(cacheDir: string): string {
  return join(cacheDir, 'downloads');
}
