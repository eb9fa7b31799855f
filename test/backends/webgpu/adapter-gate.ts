// Decides once per test file whether the WebGPU suites run. Under CI (CI=true) a missing adapter
// fails the file at import; locally the suites are skipped and the reason is printed.

import { probeWebGpu } from '../../../src/backends/webgpu/create-backend.js';
import { isCi } from '../../helpers/datasets.js';

const probe = await probeWebGpu();

if (!probe.available && isCi) {
  throw new Error(`a WebGPU adapter is required in CI but none came up: ${probe.reason}`);
}
if (!probe.available) console.warn(`skipping WebGPU tests: ${probe.reason}`);

/** True when an adapter is available; pass `!hasAdapter` to describe.skipIf. */
export const hasAdapter = probe.available;
