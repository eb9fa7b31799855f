// Turns a GPUAdapterInfo into the AdapterSummary that reports and `device: 'auto'` use.

import type { AdapterSummary } from '../backend.js';

/** The adapter fields this module reads; GPUAdapterInfo and plain test objects both fit. */
export interface AdapterInfoFields {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
  /** Adapter type, read only when the implementation adds one; GPUAdapterInfo does not define it. */
  type?: string;
}

// Names of CPU implementations of Vulkan, OpenGL or D3D that may appear in any info field.
const softwareNames = ['lavapipe', 'llvmpipe', 'swiftshader', 'softpipe', 'microsoft basic render'];

/**
 * Copies the adapter's info fields into an AdapterSummary. Dawn exposes them as prototype getters,
 * so each one is read explicitly rather than spread.
 */
export function summarizeAdapter(info: AdapterInfoFields): AdapterSummary {
  const vendor = info.vendor ?? '';
  const architecture = info.architecture ?? '';
  const device = info.device ?? '';
  const description = info.description ?? '';
  const type = typeof info.type === 'string' ? info.type : '';
  const text = `${vendor} ${architecture} ${device} ${description} ${type}`.toLowerCase();

  const isSoftware =
    info.isFallbackAdapter === true ||
    type.toLowerCase() === 'cpu' ||
    architecture.toLowerCase() === 'software' ||
    softwareNames.some((name) => text.includes(name));
  return { vendor, architecture, device, description, isSoftware };
}

/** Formats a summary as one line, for example "mesa software llvmpipe (software)". */
export function describeAdapter(summary: AdapterSummary): string {
  const parts = [summary.vendor, summary.architecture, summary.description || summary.device].filter((part) => part !== '');
  const name = parts.length > 0 ? parts.join(' ') : 'unnamed adapter';
  return summary.isSoftware ? `${name} (software)` : name;
}

/** Reads the fields of a live GPUAdapterInfo one getter at a time. */
export function readAdapterInfo(info: GPUAdapterInfo): AdapterInfoFields {
  const withType = info as GPUAdapterInfo & { type?: unknown };
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isFallbackAdapter: 'isFallbackAdapter' in info ? info.isFallbackAdapter : undefined,
    type: typeof withType.type === 'string' ? withType.type : undefined,
  };
}
