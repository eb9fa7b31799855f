// The WebAssembly side of a CPU backend: the arena every thread shares and the main thread's kernel
// instance. Absent when the kernels cannot load, and then every task runs the TypeScript kernels.

import { warnOnce, type Logger } from '../../log.js';
import { SharedArena } from './arena.js';
import { instantiateKernels, loadKernelModule, type WasmKernelExports } from './kernels/wasm-module.js';
import type { WorkerData } from './messages.js';

export interface WasmRuntime {
  module: WebAssembly.Module;
  arena: SharedArena;
  /** The kernels instantiated on the thread that owns the backend. */
  kernels: WasmKernelExports;
}

/** Kernel choice of a backend: the WebAssembly kernels when they load ('auto'), or always the TypeScript reference. */
export type KernelChoice = 'auto' | 'typescript';

/** Loads the kernels and creates the arena; returns undefined (warning once) when they cannot load. */
export async function createWasmRuntime(choice: KernelChoice, logger: Logger): Promise<WasmRuntime | undefined> {
  if (choice === 'typescript') return undefined;
  const loaded = await loadKernelModule();
  if (loaded.module === undefined) {
    warnOnce(logger, 'fallback', `cpu backend: ${loaded.reason} Using the TypeScript kernels, which are about 10 times slower.`);
    return undefined;
  }
  const arena = SharedArena.create();
  return { module: loaded.module, arena, kernels: instantiateKernels(loaded.module, arena.memory) };
}

/** Returns the worker start data that lets workers instantiate the same kernels over the same memory. */
export function wasmWorkerData(runtime: WasmRuntime | undefined): WorkerData {
  return runtime === undefined ? {} : { kernelModule: runtime.module, memory: runtime.arena.memory };
}
