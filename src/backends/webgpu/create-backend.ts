// The WebGPU backend: one device per backend, shared by its fit sessions and scorers.

import { InputError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { AdapterSummary, Backend, BackendInfo, FitProblem, FitSession, Scorer } from '../backend.js';
import { describeAdapter, readAdapterInfo, summarizeAdapter } from './adapter-summary.js';
import { acquireDevice, optionalFeatures, requestAdapter, type GpuContext } from './device.js';
import { WebGpuFitSession } from './fit-session.js';
import type { LimitOverrides } from './limits.js';
import { PipelineCache } from './pipelines.js';
import { WebGpuScorer } from './scorer.js';

export interface WebGpuBackendOptions {
  logger?: Logger;
  /**
   * Limits to plan against instead of the device's, only ever lower. Tests use small values to run
   * the chunked paths: for example `{ maxStorageBufferBindingSize: 4096, maxComputeWorkgroupsPerDimension: 7 }`.
   */
  limits?: LimitOverrides;
}

/** Result of looking for an adapter without creating a device. */
export type WebGpuProbe = { available: true; adapter: AdapterSummary } | { available: false; reason: string };

/** Looks for a WebGPU adapter and summarises it; creates no device and keeps nothing alive. */
export async function probeWebGpu(): Promise<WebGpuProbe> {
  try {
    const adapter = await requestAdapter();
    return { available: true, adapter: summarizeAdapter(readAdapterInfo(adapter.info)) };
  } catch (error) {
    return { available: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

class WebGpuBackend implements Backend {
  readonly info: BackendInfo;
  private readonly context: GpuContext;
  private readonly pipelines: PipelineCache;
  private readonly resources = new Set<FitSession | Scorer>();
  private isDisposed = false;

  constructor(context: GpuContext) {
    this.context = context;
    this.pipelines = new PipelineCache(context.device);
    const features = context.features.filter((feature) => (optionalFeatures as readonly string[]).includes(feature));
    const featureText = features.length > 0 ? `; features: ${features.join(', ')}` : '';
    this.info = {
      kind: 'webgpu',
      description: `webgpu: ${describeAdapter(context.adapter)}${featureText}`,
      threads: 1,
      adapter: context.adapter,
    };
  }

  async startFit(problem: FitProblem): Promise<FitSession> {
    this.assertOpen('startFit');
    return this.track(await WebGpuFitSession.create(this.context, this.pipelines, problem));
  }

  async createScorer(itemFactors: Float32Array, factors: number): Promise<Scorer> {
    this.assertOpen('createScorer');
    return this.track(await WebGpuScorer.create(this.context, this.pipelines, itemFactors, factors));
  }

  /** Disposes every open session and scorer, then destroys the device. */
  async dispose(): Promise<void> {
    if (this.isDisposed) return;
    this.isDisposed = true;
    for (const resource of this.resources) await resource.dispose();
    this.resources.clear();
    this.context.destroy();
  }

  private assertOpen(operation: string): void {
    if (this.isDisposed) {
      throw new InputError('backend_disposed', `${operation} called on a disposed WebGPU backend; create a new one with createWebGpuBackend`, { where: operation });
    }
    this.context.assertAlive(operation);
  }

  private track<T extends FitSession | Scorer>(resource: T): T {
    this.resources.add(resource);
    const dispose = resource.dispose.bind(resource);
    resource.dispose = async () => {
      this.resources.delete(resource);
      await dispose();
    };
    return resource;
  }
}

/**
 * Creates the WebGPU backend on the high-performance adapter. Throws DeviceError adapter_unavailable
 * when there is none; call dispose() to release the device so the process can exit.
 *
 * @example
 * const backend = await createWebGpuBackend({ logger });
 * const session = await backend.startFit(problem);
 */
export async function createWebGpuBackend(options: WebGpuBackendOptions = {}): Promise<Backend> {
  const context = await acquireDevice({ logger: options.logger, limits: options.limits });
  return new WebGpuBackend(context);
}
