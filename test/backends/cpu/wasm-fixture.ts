// Test fixture for the WebAssembly kernels: one arena with the kernels instantiated over it. Fails,
// never skips, when kernels.wasm is missing; the global setup (wasm-global-setup.ts) builds it.

import { SharedArena } from '../../../src/backends/cpu/arena.js';
import { instantiateKernels, loadKernelModule, type WasmKernelExports } from '../../../src/backends/cpu/kernels/index.js';

export interface WasmFixture {
  arena: SharedArena;
  kernels: WasmKernelExports;
  /** Copies `values` into a new arena array of the same type. */
  copy<T extends Float32Array | Float64Array | Uint32Array | Int32Array>(values: T): T;
}

export async function createWasmFixture(): Promise<WasmFixture> {
  const loaded = await loadKernelModule();
  if (loaded.module === undefined) throw new Error(loaded.reason);
  const arena = SharedArena.create();
  const kernels = instantiateKernels(loaded.module, arena.memory);
  return {
    arena,
    kernels,
    copy(values) {
      const array = arena.allocate(values.constructor as never, values.length, { zero: false }) as typeof values;
      array.set(values as never);
      return array;
    },
  };
}
