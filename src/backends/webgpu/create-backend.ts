// Placeholder until the WebGPU backend lands: every call reports that no adapter is available.

import { DeviceError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { AdapterSummary, Backend } from '../backend.js';

export interface WebGpuBackendOptions {
  logger?: Logger;
}

/** Result of looking for an adapter without creating a device. */
export type WebGpuProbe = { available: true; adapter: AdapterSummary } | { available: false; reason: string };

export async function probeWebGpu(): Promise<WebGpuProbe> {
  return { available: false, reason: 'the WebGPU backend is not built yet' };
}

export async function createWebGpuBackend(_options: WebGpuBackendOptions = {}): Promise<Backend> {
  throw new DeviceError('adapter_unavailable', 'no WebGPU adapter: the WebGPU backend is not built yet; use device "cpu"');
}
