// Locates the real public datasets named by OSUSUME_DATASETS. In CI (CI=true) a missing dataset fails
// the test; locally the test is skipped with the reason.

import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Returns the absolute path of `relative` inside OSUSUME_DATASETS, or a reason why it is unavailable. */
export function findDataset(relative: string): { path: string } | { reason: string } {
  const root = process.env.OSUSUME_DATASETS;
  if (root === undefined || root === '') {
    return { reason: `OSUSUME_DATASETS is not set, so ${relative} cannot be found` };
  }
  const path = join(root, relative);
  if (!existsSync(path)) return { reason: `${path} does not exist (OSUSUME_DATASETS=${root})` };
  return { path };
}

/** True when running under CI, where missing datasets and adapters are failures rather than skips. */
export const isCi = process.env.CI === 'true' || process.env.CI === '1';

/**
 * Returns the dataset path for a test. Under CI a missing dataset throws; locally it returns undefined
 * after printing the reason, and the caller skips.
 */
export function requireDataset(relative: string): string | undefined {
  const found = findDataset(relative);
  if ('path' in found) return found.path;
  if (isCi) throw new Error(`required dataset missing in CI: ${found.reason}`);
  console.warn(`skipping: ${found.reason}`);
  return undefined;
}
