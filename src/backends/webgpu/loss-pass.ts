// Encodes the sparse part of the training loss (als-loss.wgsl) over the user rows and reads back the
// per-workgroup partial sums. The dense part comes from the two Gram matrices (see fit-session.ts).

import { createStorageBuffer, readRanges } from './buffers.js';
import { groupSubmissions, planRowChunks, type RowChunk } from './chunking.js';
import type { DeviceCsr } from './device-csr.js';
import type { GpuContext } from './device.js';
import type { FactorPages } from './factor-pages.js';
import { LOSS_WORKGROUP_SIZE, lossConstants, lossWorkgroups, SUBMISSION_WORK_BUDGET } from './kernel-config.js';
import type { PipelineCache } from './pipelines.js';
import { packUniform, UniformSlots } from './uniforms.js';

// LossParams in als-loss.wgsl: 8 u32 fields.
const LOSS_PARAMS_BYTES = 32;

interface PreparedLoss {
  chunks: RowChunk[];
  submissions: number[][];
  slotCount: number;
  uniforms: UniformSlots;
  lossPartials: GPUBuffer;
  bindGroups: GPUBindGroup[];
}

export class LossPass {
  private readonly context: GpuContext;
  private readonly pipelines: PipelineCache;
  private readonly userItems: DeviceCsr;
  private readonly userFactors: FactorPages;
  private readonly itemFactors: FactorPages;
  private prepared: PreparedLoss | undefined;

  constructor(context: GpuContext, pipelines: PipelineCache, userItems: DeviceCsr, userFactors: FactorPages, itemFactors: FactorPages) {
    this.context = context;
    this.pipelines = pipelines;
    this.userItems = userItems;
    this.userFactors = userFactors;
    this.itemFactors = itemFactors;
  }

  /** Returns the sum over stored entries of ((c - 1) d - 2 c) d + c, d = x_u . y_i, summed in float64 on the host. */
  async sparseTerm(): Promise<number> {
    const { device } = this.context;
    const pipeline = this.pipelines.get('accumulateLoss', lossConstants(this.userFactors.factors));
    const prepared = this.prepare(pipeline);

    for (const group of prepared.submissions) {
      const encoder = device.createCommandEncoder({ label: 'accumulateLossEncoder' });
      const pass = encoder.beginComputePass({ label: 'accumulateLossPass' });
      pass.setPipeline(pipeline);
      for (const index of group) {
        pass.setBindGroup(0, prepared.bindGroups[index]);
        pass.dispatchWorkgroups(lossWorkgroups(prepared.chunks[index].rowCount));
      }
      pass.end();
      device.queue.submit([encoder.finish()]);
    }

    const bytes = await readRanges(device, 'lossPartialsReadback', [{ buffer: prepared.lossPartials, offset: 0, size: prepared.slotCount * 4 }]);
    let sum = 0;
    for (const value of new Float32Array(bytes)) sum += value;
    return sum;
  }

  destroy(): void {
    this.prepared?.uniforms.destroy();
    this.prepared?.lossPartials.destroy();
    this.prepared = undefined;
  }

  private prepare(pipeline: GPUComputePipeline): PreparedLoss {
    if (this.prepared !== undefined) return this.prepared;

    const { device, limits } = this.context;
    const factors = this.userFactors.factors;
    const chunks = planRowChunks({
      indptr: this.userItems.indptr,
      pages: this.userFactors.layout,
      limits,
      maxRows: limits.maxComputeWorkgroupsPerDimension * LOSS_WORKGROUP_SIZE,
      workBudget: SUBMISSION_WORK_BUDGET,
      rowWork: (entryCount) => (entryCount + 1) * factors,
    });
    const submissions = groupSubmissions(chunks.map((chunk, index) => ({ index, work: chunk.work })), SUBMISSION_WORK_BUDGET).map((group) =>
      group.map((item) => item.index),
    );
    const slotBases: number[] = [];
    let slotCount = 0;
    for (const chunk of chunks) {
      slotBases.push(slotCount);
      slotCount += lossWorkgroups(chunk.rowCount);
    }
    const lossPartials = createStorageBuffer(device, 'lossPartials', slotCount * 4);

    const uniforms = new UniformSlots(device, 'lossUniforms', chunks.length, LOSS_PARAMS_BYTES, limits.minUniformBufferOffsetAlignment);
    const layout = pipeline.getBindGroupLayout(0);
    const bindGroups = chunks.map((chunk, index) => {
      uniforms.set(index, packUniform([
        ['u32', chunk.rowStart],
        ['u32', chunk.rowCount],
        ['u32', chunk.indptr.base],
        ['u32', chunk.entries.base],
        ['u32', chunk.factorsBase],
        ['u32', this.itemFactors.layout.rowsPerPage],
        ['u32', this.itemFactors.rows],
        ['u32', slotBases[index]],
      ]));
      return device.createBindGroup({
        label: `lossBindGroups[${index}]`,
        layout,
        entries: [
          { binding: 0, resource: uniforms.binding(index) },
          { binding: 1, resource: { buffer: this.userItems.indptrBuffer, offset: chunk.indptr.offset, size: chunk.indptr.size } },
          { binding: 2, resource: { buffer: this.userItems.indicesBuffer, offset: chunk.entries.offset, size: chunk.entries.size } },
          { binding: 3, resource: { buffer: this.userItems.dataBuffer, offset: chunk.entries.offset, size: chunk.entries.size } },
          { binding: 4, resource: { buffer: this.userFactors.pages[chunk.page], offset: chunk.factors.offset, size: chunk.factors.size } },
          { binding: 5, resource: { buffer: this.itemFactors.boundPage(0) } },
          { binding: 6, resource: { buffer: this.itemFactors.boundPage(1) } },
          { binding: 7, resource: { buffer: lossPartials } },
        ],
      });
    });
    uniforms.upload(device.queue);
    this.prepared = { chunks, submissions, slotCount, uniforms, lossPartials, bindGroups };
    return this.prepared;
  }
}
