// Vitest global setup: compiles the WebAssembly kernels when kernels.wasm is missing or older than
// its sources, so a fresh clone tests the same kernels that `npm run build` ships.

import { buildWasmKernels } from '../../../scripts/build-wasm.js';

export async function setup(): Promise<void> {
  await buildWasmKernels({ ifStale: true });
}
