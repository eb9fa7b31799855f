// The backends the behavioural suites run against. Each backend adds its factory here; every suite
// that uses describe.each(backendFactories) then runs on it too.

import type { Backend } from '../../src/backends/backend.js';
import { createCpuBackend } from '../../src/backends/cpu/index.js';
import { createWebGpuBackend, probeWebGpu } from '../../src/backends/webgpu/create-backend.js';
import { isCi } from './datasets.js';

export interface BackendFactory {
  name: string;
  create(): Promise<Backend>;
}

export const backendFactories: BackendFactory[] = [
  // inlineMaxWork 0 sends even tiny top-N requests through the worker threads.
  { name: 'cpu', create: () => createCpuBackend({ threads: 2, inlineMaxWork: 0 }) },
];

// WebGPU joins when an adapter comes up (lavapipe counts). Under CI it always joins, so a missing
// adapter fails the suites instead of skipping them.
const webGpuProbe = await probeWebGpu();
if (webGpuProbe.available || isCi) {
  backendFactories.push({ name: 'webgpu', create: () => createWebGpuBackend() });
} else {
  console.warn(`behavioural suites skip WebGPU: ${webGpuProbe.reason}`);
}
