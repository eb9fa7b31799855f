// Compiles the AssemblyScript kernels in wasm/kernels/ into wasm/build/kernels.wasm and copies the
// binary next to the built CPU backend (dist/backends/cpu/kernels/), where the package loads it.
// Usage: tsx scripts/build-wasm.ts [--if-stale]
//   --if-stale  skip compiling when the binary is newer than every kernel source (the test setup uses it)

import { copyFile, mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import asc from 'assemblyscript/asc';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sourceDir = join(root, 'wasm', 'kernels');
/** The binary the CPU backend loads when it runs from TypeScript source. */
export const kernelsWasmPath = join(root, 'wasm', 'build', 'kernels.wasm');
const distWasmPath = join(root, 'dist', 'backends', 'cpu', 'kernels', 'kernels.wasm');

/**
 * Compiler flags. The module imports a shared memory of up to 65536 pages (4 GiB, the wasm32 limit)
 * and uses the stub runtime with no allocation, so it has no state of its own in that memory.
 * SIMD128 and threads (for the shared memory) are the only features beyond the MVP that it needs.
 */
const ascFlags = [
  '--optimizeLevel', '3',
  '--shrinkLevel', '0',
  '--runtime', 'stub',
  '--importMemory',
  '--sharedMemory',
  '--initialMemory', '1',
  '--maximumMemory', '65536',
  '--enable', 'simd',
  '--enable', 'threads',
  '--noAssert',
  '--use', 'abort=',
];

async function newestSourceMs(): Promise<number> {
  const names = await readdir(sourceDir);
  const times = await Promise.all(names.map(async (name) => (await stat(join(sourceDir, name))).mtimeMs));
  return Math.max(...times, (await stat(fileURLToPath(import.meta.url))).mtimeMs);
}

async function isStale(): Promise<boolean> {
  try {
    return (await stat(kernelsWasmPath)).mtimeMs < (await newestSourceMs());
  } catch {
    return true;
  }
}

/** Compiles the kernels (unless `ifStale` and the binary is current), then copies the binary into dist/. */
export async function buildWasmKernels(options: { ifStale?: boolean } = {}): Promise<void> {
  if (!options.ifStale || (await isStale())) {
    await mkdir(dirname(kernelsWasmPath), { recursive: true });
    const errors: string[] = [];
    const result = await asc.main([join(sourceDir, 'index.ts'), ...ascFlags, '--outFile', kernelsWasmPath], {
      stderr: { write: (text: string | Uint8Array) => errors.push(String(text)) } as never,
    });
    if (result.error !== null) throw new Error(`compiling the WebAssembly kernels failed: ${result.error.message}\n${errors.join('')}`);
  }
  await mkdir(dirname(distWasmPath), { recursive: true });
  await copyFile(kernelsWasmPath, distWasmPath);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildWasmKernels({ ifStale: process.argv.includes('--if-stale') });
}
