// Loads the WGSL kernels from the package's shaders/ folder. The path is resolved from this module's
// URL, so it works from src/ (tests) and dist/ (the built package) alike, both three levels deep.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The kernel files, one per entry-point family. */
export type ShaderName = 'als-gram' | 'als-solve-cg' | 'als-loss' | 'score-topn';

const shaderDirectory = new URL('../../../shaders/', import.meta.url);
const sourceCache = new Map<ShaderName, string>();

/** Returns preamble.wgsl followed by `<name>.wgsl`, read once per process. */
export function loadShaderSource(name: ShaderName): string {
  const cached = sourceCache.get(name);
  if (cached !== undefined) return cached;

  const preamble = readShaderFile('preamble');
  const source = `${preamble}\n${readShaderFile(name)}`;
  sourceCache.set(name, source);
  return source;
}

function readShaderFile(name: string): string {
  return readFileSync(fileURLToPath(new URL(`${name}.wgsl`, shaderDirectory)), 'utf8');
}
