// The backends the behavioural suites run against. Each backend adds its factory here; every suite
// that uses describe.each(backendFactories) then runs on it too.

import type { Backend } from '../../src/backends/backend.js';
import { createCpuBackend } from '../../src/backends/cpu/index.js';

export interface BackendFactory {
  name: string;
  create(): Promise<Backend>;
}

export const backendFactories: BackendFactory[] = [
  // inlineMaxWork 0 sends even tiny top-N requests through the worker threads.
  { name: 'cpu', create: () => createCpuBackend({ threads: 2, inlineMaxWork: 0 }) },
];
