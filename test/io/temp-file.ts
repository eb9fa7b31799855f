// Temporary files for loader tests, removed after each test file.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const folder = mkdtempSync(join(tmpdir(), 'osusume-io-test-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Writes `content` (text as UTF-8, or raw bytes) to a fresh file named `name` and returns its path. */
export function writeTemp(name: string, content: string | Uint8Array): string {
  const path = join(folder, name);
  writeFileSync(path, content);
  return path;
}

/** Path of a hand-written sample under datasets/samples. */
export function samplePath(name: string): string {
  return join(import.meta.dirname, '..', '..', 'datasets', 'samples', name);
}
