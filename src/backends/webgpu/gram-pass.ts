// Encodes the Gram matrix G = Y^T Y of a paged factor matrix into an F x F buffer:
// accumulateGram dispatches per page and row-group range, then one reduceGram dispatch.

import { createStorageBuffer } from './buffers.js';
import type { GpuContext } from './device.js';
import type { PageLayout } from './chunking.js';
import type { FactorPages } from './factor-pages.js';
import { gramConstants, planGram, type GramPlan } from './kernel-config.js';
import type { PipelineCache } from './pipelines.js';
import { packUniform, UniformSlots } from './uniforms.js';

// GramParams in als-gram.wgsl: 8 u32 fields.
const GRAM_PARAMS_BYTES = 32;

/** Everything needed to recompute one matrix's Gram matrix: plan, params and bind groups. */
export interface PreparedGram {
  plan: GramPlan;
  uniforms: UniformSlots;
  accumulateBindGroups: GPUBindGroup[][];
  reduceBindGroup: GPUBindGroup;
}

/** Builds and runs Gram passes for one factor count; owns the shared partial-sum buffer. */
export class GramPass {
  private readonly context: GpuContext;
  private readonly pipelines: PipelineCache;
  private readonly factors: number;
  private readonly gramPartials: GPUBuffer;

  /** `layouts` lists every matrix this pass will serve, so the partial buffer is sized once. */
  constructor(context: GpuContext, pipelines: PipelineCache, factors: number, layouts: readonly PageLayout[]) {
    this.context = context;
    this.pipelines = pipelines;
    this.factors = factors;
    const slotCount = Math.max(...layouts.map((layout) => planGram(layout, context.limits).slotCount));
    this.gramPartials = createStorageBuffer(context.device, 'gramPartials', slotCount * factors * factors * 4);
  }

  /** Plans the passes for `source` and creates their bind groups; `gram` receives the result. */
  prepare(source: FactorPages, gram: GPUBuffer, label: string): PreparedGram {
    const { device, limits } = this.context;
    const plan = planGram(source.layout, limits);
    const partials = this.gramPartials;
    const constants = gramConstants(this.factors);
    const accumulate = this.pipelines.get('accumulateGram', constants);
    const reduce = this.pipelines.get('reduceGram', constants);

    const dispatchCount = plan.submissions.reduce((sum, group) => sum + group.length, 0);
    const uniforms = new UniformSlots(device, `${label}.uniforms`, dispatchCount + 1, GRAM_PARAMS_BYTES, limits.minUniformBufferOffsetAlignment);
    let slot = 0;
    const accumulateBindGroups = plan.submissions.map((group) =>
      group.map((dispatch) => {
        uniforms.set(slot, packUniform([
          ['u32', dispatch.rowCount],
          ['u32', plan.rowsPerGroup],
          ['u32', plan.blocksPerSide],
          ['u32', dispatch.blockOffset],
          ['u32', dispatch.groupOffset],
          ['u32', dispatch.slotBase],
          ['u32', plan.slotCount],
          ['u32', 0],
        ]));
        const pageBytes = Math.max(4, dispatch.rowCount * this.factors * 4);
        return device.createBindGroup({
          label: `${label}.accumulateBindGroups[${slot}]`,
          layout: accumulate.getBindGroupLayout(0),
          entries: [
            { binding: 0, resource: uniforms.binding(slot++) },
            { binding: 1, resource: { buffer: source.pages[dispatch.page], offset: 0, size: pageBytes } },
            { binding: 2, resource: { buffer: partials } },
          ],
        });
      }),
    );

    uniforms.set(slot, packUniform([['u32', 0], ['u32', 0], ['u32', plan.blocksPerSide], ['u32', 0], ['u32', 0], ['u32', 0], ['u32', plan.slotCount], ['u32', 0]]));
    const reduceBindGroup = device.createBindGroup({
      label: `${label}.reduceBindGroup`,
      layout: reduce.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: uniforms.binding(slot) },
        { binding: 2, resource: { buffer: partials } },
        { binding: 3, resource: { buffer: gram } },
      ],
    });
    uniforms.upload(device.queue);
    return { plan, uniforms, accumulateBindGroups, reduceBindGroup };
  }

  /** Submits the accumulate dispatches (one submission per planned group) and the reduction. */
  run(prepared: PreparedGram): void {
    const { device } = this.context;
    const constants = gramConstants(this.factors);
    const accumulate = this.pipelines.get('accumulateGram', constants);
    const reduce = this.pipelines.get('reduceGram', constants);

    prepared.plan.submissions.forEach((group, groupIndex) => {
      const encoder = device.createCommandEncoder({ label: 'accumulateGramEncoder' });
      const pass = encoder.beginComputePass({ label: 'accumulateGramPass' });
      pass.setPipeline(accumulate);
      group.forEach((dispatch, index) => {
        pass.setBindGroup(0, prepared.accumulateBindGroups[groupIndex][index]);
        pass.dispatchWorkgroups(dispatch.blockCount, dispatch.groupCount);
      });
      pass.end();
      device.queue.submit([encoder.finish()]);
    });

    const encoder = device.createCommandEncoder({ label: 'reduceGramEncoder' });
    const pass = encoder.beginComputePass({ label: 'reduceGramPass' });
    pass.setPipeline(reduce);
    pass.setBindGroup(0, prepared.reduceBindGroup);
    pass.dispatchWorkgroups(prepared.plan.reduceWorkgroups);
    pass.end();
    device.queue.submit([encoder.finish()]);
  }

  destroy(): void {
    this.gramPartials.destroy();
  }
}
