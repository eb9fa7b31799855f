// Loads the WebAssembly SIMD kernels (AssemblyScript sources in wasm/kernels/, compiled by
// scripts/build-wasm.ts) and instantiates them over a shared memory. Every thread instantiates the
// same compiled module over the same memory, which works because the module keeps no state of its own.

import { readFile } from 'node:fs/promises';

/** The exports of kernels.wasm. Pointers are byte offsets into the shared memory. */
export interface WasmKernelExports {
  gramScratchBytes(factors: number): number;
  gramBand(matrix: number, factors: number, nRows: number, bandStart: number, bandEnd: number, gram: number, scratch: number): void;
  cgScratchBytes(factors: number): number;
  loadGramF32(gram: number, factors: number, scratch: number): void;
  solveRowsCg(
    indptr: number,
    indices: number,
    data: number,
    other: number,
    target: number,
    factors: number,
    rowStart: number,
    rowEnd: number,
    regularization: number,
    cgSteps: number,
    scratch: number,
  ): number;
  headSize(): number;
  panelBytes(): number;
  buildPanels(items: number, factors: number, order: number, nPositions: number, basis: number, panels: number): void;
  topNQuery(
    items: number,
    factors: number,
    order: number,
    panels: number,
    nPanels: number,
    basis: number,
    query: number,
    n: number,
    capacity: number,
    exclude: number,
    excludeLength: number,
    filter: number,
    filterLength: number,
    heapIds: number,
    heapScores: number,
    outIds: number,
    outScores: number,
  ): number;
}

/** The compiled module, or why the TypeScript kernels must be used instead. */
export type KernelModuleResult = { module: WebAssembly.Module } | { module?: undefined; reason: string };

/** Returns the URL of kernels.wasm: next to this module in dist/, or in wasm/build/ when running from source. */
export function kernelsWasmUrl(): URL {
  if (import.meta.url.endsWith('.ts')) return new URL('../../../../wasm/build/kernels.wasm', import.meta.url);
  return new URL('./kernels.wasm', import.meta.url);
}

let loading: Promise<KernelModuleResult> | undefined;

/**
 * Reads and compiles kernels.wasm once per thread. Resolves with a reason instead of a module when
 * the file is missing or this runtime lacks WebAssembly SIMD or shared memory.
 */
export function loadKernelModule(): Promise<KernelModuleResult> {
  loading ??= compileKernels().then((result) => {
    compiled = result.module;
    return result;
  });
  return loading;
}

/** The module compiled on this thread; set once loadKernelModule has resolved, as after a CPU backend starts. */
let compiled: WebAssembly.Module | undefined;

/** Returns the kernels module if this thread has compiled it already, for callers that cannot wait. */
export function compiledKernelModule(): WebAssembly.Module | undefined {
  return compiled;
}

async function compileKernels(): Promise<KernelModuleResult> {
  const url = kernelsWasmUrl();
  let bytes: Uint8Array;
  try {
    bytes = await readFile(url);
  } catch (error) {
    return { reason: `Reading the WebAssembly kernels ${url.pathname} failed (${(error as Error).message}). Run npm run build to compile them.` };
  }
  try {
    return { module: await WebAssembly.compile(bytes) };
  } catch (error) {
    return { reason: `Compiling the WebAssembly SIMD kernels failed (${(error as Error).message}). They need WebAssembly SIMD and shared memory, as in Node 20.` };
  }
}

/** Instantiates `module` over `memory` on the calling thread. */
export function instantiateKernels(module: WebAssembly.Module, memory: WebAssembly.Memory): WasmKernelExports {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return instance.exports as unknown as WasmKernelExports;
}
