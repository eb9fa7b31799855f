import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds the WebAssembly kernels when they are missing or stale.
    globalSetup: ['test/backends/cpu/wasm-global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // WebGPU and worker-pool suites each start their own threads; two cores cannot run many files at once.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
