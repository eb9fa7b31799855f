// Device limits: what to request from the adapter, and the effective limits that the chunking code
// plans against, optionally forced lower so tests can drive the chunked paths on any adapter.

import { InputError } from '../../errors.js';

/** The limits that buffer chunking and dispatch splitting read. */
export interface KernelLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  maxComputeWorkgroupsPerDimension: number;
  maxComputeWorkgroupStorageSize: number;
  maxComputeInvocationsPerWorkgroup: number;
  maxComputeWorkgroupSizeX: number;
  minStorageBufferOffsetAlignment: number;
  minUniformBufferOffsetAlignment: number;
}

/** Limits a caller may force below the device's, for example to test chunking on a small input. */
export type LimitOverrides = Partial<Pick<KernelLimits, 'maxStorageBufferBindingSize' | 'maxBufferSize' | 'maxComputeWorkgroupsPerDimension'>>;

// Limits requested at the adapter's own value rather than the WebGPU defaults (128 MiB bindings,
// 256 MiB buffers, 16 KiB workgroup storage). Adapters often offer more: lavapipe 25.0 offers 4 GiB
// buffers and 32 KiB of workgroup storage.
const requestedLimitNames = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
  'maxUniformBufferBindingSize',
] as const;

/** Builds requiredLimits for requestDevice from the adapter's supported limits. */
export function requiredLimitsFor(adapterLimits: GPUSupportedLimits): Record<string, number> {
  const required: Record<string, number> = {};
  for (const name of requestedLimitNames) {
    const value = adapterLimits[name];
    if (typeof value === 'number' && Number.isFinite(value)) required[name] = value;
  }
  return required;
}

/** Reads the kernel limits of a device and applies the overrides, which may only lower them. */
export function effectiveLimits(deviceLimits: GPUSupportedLimits, overrides: LimitOverrides = {}): KernelLimits {
  const limits: KernelLimits = {
    maxStorageBufferBindingSize: deviceLimits.maxStorageBufferBindingSize,
    maxBufferSize: deviceLimits.maxBufferSize,
    maxComputeWorkgroupsPerDimension: deviceLimits.maxComputeWorkgroupsPerDimension,
    maxComputeWorkgroupStorageSize: deviceLimits.maxComputeWorkgroupStorageSize,
    maxComputeInvocationsPerWorkgroup: deviceLimits.maxComputeInvocationsPerWorkgroup,
    maxComputeWorkgroupSizeX: deviceLimits.maxComputeWorkgroupSizeX,
    minStorageBufferOffsetAlignment: deviceLimits.minStorageBufferOffsetAlignment,
    minUniformBufferOffsetAlignment: deviceLimits.minUniformBufferOffsetAlignment,
  };
  for (const [name, value] of Object.entries(overrides) as [keyof LimitOverrides, number | undefined][]) {
    if (value === undefined) continue;
    validateOverride(name, value, limits);
    limits[name] = Math.min(limits[name], value);
  }
  return limits;
}

function validateOverride(name: keyof LimitOverrides, value: number, limits: KernelLimits): void {
  const minimum = name === 'maxComputeWorkgroupsPerDimension' ? 1 : limits.minStorageBufferOffsetAlignment;
  const mustBeMultipleOf4 = name !== 'maxComputeWorkgroupsPerDimension';
  if (!Number.isInteger(value) || value < minimum || (mustBeMultipleOf4 && value % 4 !== 0)) {
    const expected = mustBeMultipleOf4 ? `a multiple of 4 and at least ${minimum}` : `an integer of at least ${minimum}`;
    throw new InputError('invalid_option', `limits.${name} is ${value}, expected ${expected}`, {
      where: `limits.${name}`,
      expected,
      received: String(value),
    });
  }
}
