// Adapter and device acquisition, and the GpuContext that every WebGPU module works through: it
// tracks device loss and turns GPU validation and out-of-memory errors into DeviceError.

import { DeviceError } from '../../errors.js';
import { silentLogger, type Logger } from '../../log.js';
import type { AdapterSummary } from '../backend.js';
import { readAdapterInfo, summarizeAdapter } from './adapter-summary.js';
import { getGpu } from './gpu-globals.js';
import { effectiveLimits, requiredLimitsFor, type KernelLimits, type LimitOverrides } from './limits.js';

/** Features requested when the adapter offers them; every kernel also runs without them. */
export const optionalFeatures: readonly GPUFeatureName[] = ['subgroups', 'shader-f16', 'timestamp-query'];

export interface AcquireDeviceOptions {
  logger?: Logger;
  limits?: LimitOverrides;
}

/** Requests the high-performance adapter, or throws DeviceError adapter_unavailable with the reason. */
export async function requestAdapter(): Promise<GPUAdapter> {
  let adapter: GPUAdapter | null;
  try {
    adapter = await getGpu().requestAdapter({ powerPreference: 'high-performance' });
  } catch (cause) {
    throw new DeviceError('adapter_unavailable', `no WebGPU adapter: requestAdapter failed (${String(cause)}); use device "cpu"`, {}, { cause });
  }
  if (adapter === null) {
    throw new DeviceError(
      'adapter_unavailable',
      'no WebGPU adapter: requestAdapter returned null, so no usable Vulkan, Metal or Direct3D 12 driver was found (Debian 12\'s Mesa 22 is too old for Dawn); install a driver or run scripts/install-vulkan-cpu.sh, or use device "cpu"',
    );
  }
  return adapter;
}

/** A device with its adapter summary and effective limits. Create with acquireDevice(). */
export class GpuContext {
  readonly device: GPUDevice;
  readonly adapter: AdapterSummary;
  readonly limits: KernelLimits;
  readonly features: readonly string[];
  readonly logger: Logger;
  private lostMessage: string | undefined;
  private isDestroyed = false;

  constructor(device: GPUDevice, adapter: AdapterSummary, limits: KernelLimits, logger: Logger) {
    this.device = device;
    this.adapter = adapter;
    this.limits = limits;
    this.features = [...device.features].map(String).sort();
    this.logger = logger;

    void device.lost.then((info) => {
      if (this.isDestroyed) return;
      this.lostMessage = `${info.reason}: ${info.message}`;
      this.logger.error('WebGPU device lost', { reason: info.reason, message: info.message });
    });
    device.onuncapturederror = (event: GPUUncapturedErrorEvent) => {
      this.logger.error('uncaptured WebGPU error', { message: event.error.message });
    };
  }

  /** Throws DeviceError device_lost when the device is gone or was released. */
  assertAlive(operation: string): void {
    if (this.isDestroyed) {
      throw new DeviceError('device_lost', `${operation} failed: the WebGPU backend was disposed; create a new backend`);
    }
    if (this.lostMessage !== undefined) {
      throw new DeviceError('device_lost', `${operation} failed: the WebGPU device was lost (${this.lostMessage}); create a new backend and restore the factors with writeFactors`, {
        where: operation,
      });
    }
  }

  /**
   * Runs `work` (which creates objects, encodes and submits) inside validation and out-of-memory
   * error scopes, and rethrows a captured error as DeviceError naming `label`, the pipeline or
   * buffer group at fault. A device loss during `work` becomes DeviceError device_lost; other errors
   * thrown by `work` pass through unchanged.
   */
  async scoped<T>(label: string, work: () => Promise<T> | T): Promise<T> {
    this.assertAlive(label);
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
    let result: T;
    let failure: unknown;
    try {
      result = await work();
    } catch (cause) {
      failure = cause;
    }
    const validation = await this.device.popErrorScope();
    const outOfMemory = await this.device.popErrorScope();

    if (outOfMemory !== null) {
      throw new DeviceError('gpu_out_of_memory', `GPU out of memory in ${label}: ${outOfMemory.message}; use fewer factors or device "cpu"`, { where: label });
    }
    if (validation !== null) {
      throw new DeviceError('gpu_validation', `GPU validation failed in ${label}: ${validation.message}`, { where: label });
    }
    if (failure !== undefined) {
      // A failed map or submit after a device loss reports the loss; anything else is rethrown as is.
      this.assertAlive(label);
      throw failure;
    }
    return result!;
  }

  /** Destroys the device; every buffer on it is released. Safe to call twice. */
  destroy(): void {
    if (this.isDestroyed) return;
    this.isDestroyed = true;
    this.device.destroy();
  }
}

/** Acquires the adapter and a device with the adapter's own limits and the optional features it offers. */
export async function acquireDevice(options: AcquireDeviceOptions = {}): Promise<GpuContext> {
  const logger = options.logger ?? silentLogger;
  const adapter = await requestAdapter();
  const summary = summarizeAdapter(readAdapterInfo(adapter.info));
  const requiredFeatures = optionalFeatures.filter((feature) => adapter.features.has(feature));

  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({
      label: 'osusumeDevice',
      requiredFeatures,
      requiredLimits: requiredLimitsFor(adapter.limits),
    });
  } catch (cause) {
    throw new DeviceError('adapter_unavailable', `no WebGPU device: requestDevice failed on ${summary.description || summary.device} (${String(cause)}); use device "cpu"`, {}, { cause });
  }

  let limits: KernelLimits;
  try {
    limits = effectiveLimits(device.limits, options.limits);
  } catch (error) {
    device.destroy();
    throw error;
  }
  logger.debug('webgpu device acquired', { adapter: summary, features: requiredFeatures, limits });
  return new GpuContext(device, summary, limits, logger);
}
