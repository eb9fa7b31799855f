// Picks the compute backend for `device`, once, and records why, for logs and reports.

import { silentLogger, warnOnce, type Logger } from '../log.js';
import type { Backend } from './backend.js';
import { createCpuBackend } from './cpu/create-backend.js';

/** Loads the WebGPU backend only when it may be used, so CPU-only programs never load its native module. */
const loadWebGpu = () => import('./webgpu/create-backend.js');

export type DeviceChoice = 'auto' | 'cpu' | 'webgpu';

export interface SelectBackendOptions {
  /** Default 'auto'. */
  device?: DeviceChoice;
  /** CPU worker threads; default os.availableParallelism(). */
  threads?: number;
  logger?: Logger;
}

/** The chosen backend and one sentence on why it was chosen. */
export interface BackendSelection {
  backend: Backend;
  reason: string;
}

/**
 * Creates the backend for `device`:
 * - 'cpu': the worker-thread CPU backend.
 * - 'webgpu': the WebGPU backend; throws DeviceError (adapter_unavailable) when there is none.
 * - 'auto': WebGPU on a hardware adapter. Without one (no adapter, a software adapter such as
 *   lavapipe or SwiftShader, or a failed device creation) it starts the CPU backend and warns once ('fallback').
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendSelection> {
  const device = options.device ?? 'auto';
  const logger = options.logger ?? silentLogger;
  const startCpu = () => createCpuBackend({ threads: options.threads, logger });

  if (device === 'cpu') return { backend: await startCpu(), reason: 'device "cpu" was requested' };
  const { createWebGpuBackend, probeWebGpu } = await loadWebGpu();
  if (device === 'webgpu') return { backend: await createWebGpuBackend({ logger }), reason: 'device "webgpu" was requested' };

  const probe = await probeWebGpu();
  let fallbackReason: string;
  if (!probe.available) {
    fallbackReason = `no WebGPU adapter (${probe.reason})`;
  } else if (probe.adapter.isSoftware) {
    fallbackReason = `the WebGPU adapter "${probe.adapter.description}" is a software renderer`;
  } else {
    try {
      const backend = await createWebGpuBackend({ logger });
      return { backend, reason: `device "auto" found the hardware WebGPU adapter "${probe.adapter.description}"` };
    } catch (error) {
      fallbackReason = `creating a WebGPU device on "${probe.adapter.description}" failed: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  const backend = await startCpu();
  const reason = `device "auto" fell back to the CPU: ${fallbackReason}`;
  warnOnce(logger, 'fallback', `${reason}; pass device "cpu" to choose the CPU explicitly`);
  return { backend, reason };
}
