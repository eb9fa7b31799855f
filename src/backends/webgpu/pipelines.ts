// Compute pipelines, created on first use and cached per entry point and override constants. Each
// pipeline's label is its entry point name, which is also the name the host code uses for it.

import type { OverrideConstants } from './kernel-config.js';
import { loadShaderSource, type ShaderName } from './shader-source.js';

/** Entry points and the file that contains each. */
export const entryPointFiles = {
  accumulateGram: 'als-gram',
  reduceGram: 'als-gram',
  solveRowsCg: 'als-solve-cg',
  accumulateLoss: 'als-loss',
  scoreTopN: 'score-topn',
} as const satisfies Record<string, ShaderName>;

export type EntryPoint = keyof typeof entryPointFiles;

export class PipelineCache {
  private readonly device: GPUDevice;
  private readonly modules = new Map<ShaderName, GPUShaderModule>();
  private readonly pipelines = new Map<string, GPUComputePipeline>();

  constructor(device: GPUDevice) {
    this.device = device;
  }

  /** Returns the pipeline for `entryPoint` specialised with `constants`. Call inside GpuContext.scoped. */
  get(entryPoint: EntryPoint, constants: OverrideConstants): GPUComputePipeline {
    const key = `${entryPoint}:${JSON.stringify(constants)}`;
    let pipeline = this.pipelines.get(key);
    if (pipeline === undefined) {
      pipeline = this.device.createComputePipeline({
        label: entryPoint,
        layout: 'auto',
        compute: { module: this.module(entryPointFiles[entryPoint]), entryPoint, constants },
      });
      this.pipelines.set(key, pipeline);
    }
    return pipeline;
  }

  private module(name: ShaderName): GPUShaderModule {
    let module = this.modules.get(name);
    if (module === undefined) {
      module = this.device.createShaderModule({ label: name, code: loadShaderSource(name) });
      this.modules.set(name, module);
    }
    return module;
  }
}
