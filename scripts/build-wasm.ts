// Compiles the AssemblyScript modules: the CPU kernels in wasm/kernels/ into wasm/build/kernels.wasm,
// copied next to the built CPU backend (dist/backends/cpu/kernels/), and the file loader's fast path
// in wasm/loader/ into wasm/build/loader.wasm, copied next to the built loader (dist/io/).
// Usage: tsx scripts/build-wasm.ts [--if-stale]
//   --if-stale  skip compiling a module whose binary is newer than every one of its sources (the test setup uses it)

import { copyFile, mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import asc from 'assemblyscript/asc';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The binary the CPU backend loads when it runs from TypeScript source. */
export const kernelsWasmPath = join(root, 'wasm', 'build', 'kernels.wasm');
/** The binary the file loader loads when it runs from TypeScript source. */
export const loaderWasmPath = join(root, 'wasm', 'build', 'loader.wasm');

/**
 * Compiler flags of the kernels. The module imports a shared memory of up to 65536 pages (4 GiB, the wasm32 limit)
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

/**
 * Compiler flags of the loader. It owns a growable memory and allocates its hash tables with the
 * minimal runtime's allocator (which can free, unlike the stub), and never collects garbage.
 */
const loaderFlags = [
  '--optimizeLevel', '3',
  '--shrinkLevel', '0',
  '--runtime', 'minimal',
  '--initialMemory', '2',
  '--enable', 'simd',
  '--noAssert',
  '--use', 'abort=',
];

interface WasmModule {
  sourceDir: string;
  flags: string[];
  outFile: string;
  distFile: string;
}

const modules: WasmModule[] = [
  { sourceDir: join(root, 'wasm', 'kernels'), flags: ascFlags, outFile: kernelsWasmPath, distFile: join(root, 'dist', 'backends', 'cpu', 'kernels', 'kernels.wasm') },
  { sourceDir: join(root, 'wasm', 'loader'), flags: loaderFlags, outFile: loaderWasmPath, distFile: join(root, 'dist', 'io', 'loader.wasm') },
];

async function newestSourceMs(sourceDir: string): Promise<number> {
  const names = await readdir(sourceDir);
  const times = await Promise.all(names.map(async (name) => (await stat(join(sourceDir, name))).mtimeMs));
  return Math.max(...times, (await stat(fileURLToPath(import.meta.url))).mtimeMs);
}

async function isStale(module: WasmModule): Promise<boolean> {
  try {
    return (await stat(module.outFile)).mtimeMs < (await newestSourceMs(module.sourceDir));
  } catch {
    return true;
  }
}

/** Compiles every module (unless `ifStale` and its binary is current), then copies the binaries into dist/. */
export async function buildWasmKernels(options: { ifStale?: boolean } = {}): Promise<void> {
  for (const module of modules) await buildModule(module, options.ifStale === true);
}

async function buildModule(module: WasmModule, ifStale: boolean): Promise<void> {
  if (!ifStale || (await isStale(module))) {
    await mkdir(dirname(module.outFile), { recursive: true });
    const errors: string[] = [];
    const result = await asc.main([join(module.sourceDir, 'index.ts'), ...module.flags, '--outFile', module.outFile], {
      stderr: { write: (text: string | Uint8Array) => errors.push(String(text)) } as never,
    });
    if (result.error !== null) throw new Error(`compiling ${module.outFile} failed: ${result.error.message}\n${errors.join('')}`);
  }
  await mkdir(dirname(module.distFile), { recursive: true });
  await copyFile(module.outFile, module.distFile);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildWasmKernels({ ifStale: process.argv.includes('--if-stale') });
}
