// Runs scoreTopN for one request: uploads the queries and lists, dispatches one workgroup per query in
// bounded blocks, and reads back only n (id, score) pairs per query.

import type { TopNResult } from '../backend.js';
import { createStorageBuffer, readRanges, uploadArray } from './buffers.js';
import { groupSubmissions, planQueryBlocks, type QueryBlock } from './chunking.js';
import type { GpuContext } from './device.js';
import type { FactorPages } from './factor-pages.js';
import { SUBMISSION_WORK_BUDGET, topNQueryWork, type TopNConfig } from './kernel-config.js';
import type { PipelineCache } from './pipelines.js';
import type { NormalizedTopN } from './topn-request.js';
import { packUniform, UniformSlots } from './uniforms.js';

// TopNParams in score-topn.wgsl: 16 u32 fields.
const TOPN_PARAMS_BYTES = 64;
// TopNEntry: an i32 id and an f32 score.
const TOPN_ENTRY_BYTES = 8;
/** Result readback goes through staging buffers of at most this size. */
const READBACK_PIECE_BYTES = 64 * 1024 * 1024;

/** Request-scoped device buffers, destroyed when the request ends. */
interface TopNBuffers {
  queries: GPUBuffer;
  excludeIndptr: GPUBuffer;
  excludeIndices: GPUBuffer;
  filterItems: GPUBuffer;
  candidates: GPUBuffer;
  topEntries: GPUBuffer;
}

function uploadRequest(device: GPUDevice, request: NormalizedTopN): TopNBuffers {
  return {
    queries: uploadArray(device, 'topNBuffers.queries', request.queries),
    excludeIndptr: uploadArray(device, 'topNBuffers.excludeIndptr', request.excludeIndptr),
    excludeIndices: uploadArray(device, 'topNBuffers.excludeIndices', request.excludeIndices),
    filterItems: uploadArray(device, 'topNBuffers.filterItems', request.filterItems),
    candidates: uploadArray(device, 'topNBuffers.candidates', request.candidates ?? new Uint32Array(0)),
    topEntries: createStorageBuffer(device, 'topNBuffers.topEntries', (request.nQueries * request.n + 1) * TOPN_ENTRY_BYTES),
  };
}

function packParams(block: QueryBlock, request: NormalizedTopN, items: FactorPages): ArrayBuffer {
  return packUniform([
    ['u32', block.queryStart],
    ['u32', block.queryCount],
    ['u32', block.queries.base],
    ['u32', block.results.base],
    ['u32', block.excludeIndptr.base],
    ['u32', block.excludeEntries.base],
    ['u32', request.hasExclusions ? 1 : 0],
    ['u32', request.n],
    ['u32', items.rows],
    ['u32', items.layout.rowsPerPage],
    ['u32', request.filterItems.length],
    ['u32', request.candidates?.length ?? 0],
    ['u32', request.candidates === undefined ? 0 : 1],
    ['u32', 0],
    ['u32', 0],
    ['u32', 0],
  ]);
}

/** Scores `request` against `items` on the device. n must be at most maxTopN and at least 1. */
export async function runTopN(context: GpuContext, pipelines: PipelineCache, items: FactorPages, request: NormalizedTopN, config: TopNConfig): Promise<TopNResult> {
  const { device, limits } = context;
  const { nQueries, n } = request;
  const pipeline = pipelines.get('scoreTopN', config.constants);
  const buffers = uploadRequest(device, request);
  const scoredItems = request.candidates?.length ?? items.rows;
  const blocks = planQueryBlocks({
    nQueries,
    factors: items.factors,
    n,
    resultBytes: TOPN_ENTRY_BYTES,
    excludeIndptr: request.excludeIndptr,
    hasExclusions: request.hasExclusions,
    limits,
    workPerQuery: topNQueryWork(scoredItems, items.factors),
    workBudget: SUBMISSION_WORK_BUDGET,
  });
  const uniforms = new UniformSlots(device, 'topNUniforms', blocks.length, TOPN_PARAMS_BYTES, limits.minUniformBufferOffsetAlignment);

  try {
    const layout = pipeline.getBindGroupLayout(0);
    const bindGroups = blocks.map((block, index) => {
      uniforms.set(index, packParams(block, request, items));
      // Without exclusions the kernel never reads the exclude bindings; the placeholders are bound whole.
      const excludeIndptr = request.hasExclusions ? { offset: block.excludeIndptr.offset, size: block.excludeIndptr.size } : {};
      const excludeIndices = request.hasExclusions ? { offset: block.excludeEntries.offset, size: block.excludeEntries.size } : {};
      return device.createBindGroup({
        label: `topNBindGroups[${index}]`,
        layout,
        entries: [
          { binding: 0, resource: uniforms.binding(index) },
          { binding: 1, resource: { buffer: buffers.queries, offset: block.queries.offset, size: block.queries.size } },
          { binding: 2, resource: { buffer: items.boundPage(0) } },
          { binding: 3, resource: { buffer: items.boundPage(1) } },
          { binding: 4, resource: { buffer: buffers.excludeIndptr, ...excludeIndptr } },
          { binding: 5, resource: { buffer: buffers.excludeIndices, ...excludeIndices } },
          { binding: 6, resource: { buffer: buffers.filterItems } },
          { binding: 7, resource: { buffer: buffers.candidates } },
          { binding: 8, resource: { buffer: buffers.topEntries, offset: block.results.offset, size: block.results.size } },
        ],
      });
    });
    uniforms.upload(device.queue);

    const indexed = blocks.map((block, index) => ({ index, work: block.work }));
    for (const group of groupSubmissions(indexed, SUBMISSION_WORK_BUDGET)) {
      const encoder = device.createCommandEncoder({ label: 'scoreTopNEncoder' });
      const pass = encoder.beginComputePass({ label: 'scoreTopNPass' });
      pass.setPipeline(pipeline);
      for (const { index } of group) {
        pass.setBindGroup(0, bindGroups[index]);
        pass.dispatchWorkgroups(blocks[index].queryCount);
      }
      pass.end();
      device.queue.submit([encoder.finish()]);
    }

    return await readResults(device, buffers.topEntries, nQueries, n);
  } finally {
    uniforms.destroy();
    for (const buffer of Object.values(buffers)) buffer.destroy();
  }
}

async function readResults(device: GPUDevice, topEntries: GPUBuffer, nQueries: number, n: number): Promise<TopNResult> {
  const total = nQueries * n * TOPN_ENTRY_BYTES;
  const ids = new Int32Array(nQueries * n);
  const scores = new Float32Array(nQueries * n);
  for (let offset = 0; offset < total; offset += READBACK_PIECE_BYTES) {
    const size = Math.min(READBACK_PIECE_BYTES, total - offset);
    const bytes = await readRanges(device, 'topEntriesReadback', [{ buffer: topEntries, offset, size }]);
    const words = new Int32Array(bytes);
    const values = new Float32Array(bytes);
    const first = offset / TOPN_ENTRY_BYTES;
    for (let k = 0; k < words.length / 2; k++) {
      // The kernel pads with id -1 and the lowest finite float; the contract pads with -Infinity.
      ids[first + k] = words[2 * k];
      scores[first + k] = words[2 * k] < 0 ? -Infinity : values[2 * k + 1];
    }
  }
  return { n, ids, scores };
}
