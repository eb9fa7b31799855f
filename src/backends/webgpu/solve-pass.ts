// Encodes one ALS half-step: solveRowsCg over every row chunk of one side, in bounded submissions.

import { groupSubmissions, planRowChunks, type RowChunk } from './chunking.js';
import type { DeviceCsr } from './device-csr.js';
import type { GpuContext } from './device.js';
import type { FactorPages } from './factor-pages.js';
import { solveConfig, solveRowWork, SUBMISSION_WORK_BUDGET } from './kernel-config.js';
import type { PipelineCache } from './pipelines.js';
import { packUniform, UniformSlots } from './uniforms.js';

// SolveParams in als-solve-cg.wgsl: 12 four-byte fields.
const SOLVE_PARAMS_BYTES = 48;

/** The buffers one side's solve reads and writes. */
export interface SolveInputs {
  /** Confidence rows of the solved side (userItems when solving users). */
  csr: DeviceCsr;
  solved: FactorPages;
  other: FactorPages;
  /** Gram matrix of `other`, without regularization. */
  gram: GPUBuffer;
  /** SolveStatus: non-finite row count and lowest such row. */
  status: GPUBuffer;
}

interface PreparedSolve {
  chunks: RowChunk[];
  submissions: number[][];
  uniforms: UniformSlots;
  bindGroups: GPUBindGroup[];
}

export class SolvePass {
  private readonly context: GpuContext;
  private readonly pipelines: PipelineCache;
  private readonly inputs: SolveInputs;
  private readonly label: string;
  // The work budget depends on cgSteps, so plans are kept per step count.
  private readonly prepared = new Map<number, PreparedSolve>();

  constructor(context: GpuContext, pipelines: PipelineCache, inputs: SolveInputs, label: string) {
    this.context = context;
    this.pipelines = pipelines;
    this.inputs = inputs;
    this.label = label;
  }

  /** Writes the params and submits every chunk. The caller waits for the queue and checks the status. */
  run(regularization: number, cgSteps: number): void {
    const { device } = this.context;
    const config = solveConfig(this.inputs.solved.factors, this.context.limits);
    const pipeline = this.pipelines.get('solveRowsCg', config.constants);
    const prepared = this.prepare(cgSteps, pipeline);

    prepared.chunks.forEach((chunk, index) => prepared.uniforms.set(index, this.packParams(chunk, regularization, cgSteps)));
    prepared.uniforms.upload(device.queue);

    for (const group of prepared.submissions) {
      const encoder = device.createCommandEncoder({ label: `${this.label}Encoder` });
      const pass = encoder.beginComputePass({ label: `${this.label}Pass` });
      pass.setPipeline(pipeline);
      for (const index of group) {
        pass.setBindGroup(0, prepared.bindGroups[index]);
        pass.dispatchWorkgroups(prepared.chunks[index].rowCount);
      }
      pass.end();
      device.queue.submit([encoder.finish()]);
    }
  }

  destroy(): void {
    for (const prepared of this.prepared.values()) prepared.uniforms.destroy();
    this.prepared.clear();
  }

  private prepare(cgSteps: number, pipeline: GPUComputePipeline): PreparedSolve {
    const cached = this.prepared.get(cgSteps);
    if (cached !== undefined) return cached;

    const { device, limits } = this.context;
    const { csr, solved, other, gram, status } = this.inputs;
    const factors = solved.factors;
    const chunks = planRowChunks({
      indptr: csr.indptr,
      pages: solved.layout,
      limits,
      maxRows: limits.maxComputeWorkgroupsPerDimension,
      workBudget: SUBMISSION_WORK_BUDGET,
      rowWork: (entryCount) => solveRowWork(entryCount, factors, cgSteps),
    });
    const indexed = chunks.map((chunk, index) => ({ index, work: chunk.work }));
    const submissions = groupSubmissions(indexed, SUBMISSION_WORK_BUDGET).map((group) => group.map((item) => item.index));

    const uniforms = new UniformSlots(device, `${this.label}.uniforms`, chunks.length, SOLVE_PARAMS_BYTES, limits.minUniformBufferOffsetAlignment);
    const layout = pipeline.getBindGroupLayout(0);
    const bindGroups = chunks.map((chunk, index) =>
      device.createBindGroup({
        label: `${this.label}.bindGroups[${index}]`,
        layout,
        entries: [
          { binding: 0, resource: uniforms.binding(index) },
          { binding: 1, resource: { buffer: csr.indptrBuffer, offset: chunk.indptr.offset, size: chunk.indptr.size } },
          { binding: 2, resource: { buffer: csr.indicesBuffer, offset: chunk.entries.offset, size: chunk.entries.size } },
          { binding: 3, resource: { buffer: csr.dataBuffer, offset: chunk.entries.offset, size: chunk.entries.size } },
          { binding: 4, resource: { buffer: gram } },
          { binding: 5, resource: { buffer: other.boundPage(0) } },
          { binding: 6, resource: { buffer: other.boundPage(1) } },
          { binding: 7, resource: { buffer: solved.pages[chunk.page], offset: chunk.factors.offset, size: chunk.factors.size } },
          { binding: 8, resource: { buffer: status } },
        ],
      }),
    );
    const prepared = { chunks, submissions, uniforms, bindGroups };
    this.prepared.set(cgSteps, prepared);
    this.context.logger.debug('webgpu solve planned', { label: this.label, cgSteps, dispatches: chunks.length, submissions: submissions.length });
    return prepared;
  }

  private packParams(chunk: RowChunk, regularization: number, cgSteps: number): ArrayBuffer {
    const { other } = this.inputs;
    return packUniform([
      ['u32', chunk.rowStart],
      ['u32', chunk.rowCount],
      ['u32', chunk.indptr.base],
      ['u32', chunk.entries.base],
      ['u32', chunk.factorsBase],
      ['u32', other.layout.rowsPerPage],
      ['u32', other.rows],
      ['u32', cgSteps],
      ['f32', regularization],
      ['u32', 0],
      ['u32', 0],
      ['u32', 0],
    ]);
  }
}
