// Worker thread entry of the CPU backend: runs kernels over shared buffers on request.

import { parentPort, workerData } from 'node:worker_threads';
import type { Side } from '../backend.js';
import {
  accumulateLoss,
  computeGramBand,
  createCgScratch,
  createCholeskyScratch,
  createTopNScratch,
  heapCapacity,
  mirrorGramBand,
  runPrunedTopN,
  selectTopN,
  solveRowsCg,
  solveRowsCholesky,
  sumSquares,
  type CgScratch,
  type CholeskyScratch,
  type PrunedItemIndex,
  type RowFailure,
  type RowSystem,
  type TopNScratch,
} from './kernels/index.js';
import { instantiateKernels, type WasmKernelExports } from './kernels/wasm-module.js';
import type { FitBuffers, TopNTask, WasmFitScratch, WorkerData, WorkerEnvelope, WorkerReply, WorkerRequest } from './messages.js';
import { REDUCTION_CHUNK_ROWS } from './partition.js';

/** One worker's view of a fit session, with per-thread scratch allocated once. */
interface FitState {
  buffers: FitBuffers;
  factors: number;
  nUsers: number;
  nItems: number;
  /** Solves user rows against item factors. */
  userSystem: RowSystem;
  /** Solves item rows against user factors. */
  itemSystem: RowSystem;
  /** Private Gram band work space, copied into the shared gram when complete. */
  gramScratch: Float64Array;
  cg: CgScratch;
  cholesky: CholeskyScratch | undefined;
  vector: Float64Array;
  /** Present when the buffers live in the arena: the worker's WebAssembly work space. */
  wasmScratch: WasmFitScratch | undefined;
}

const startData = workerData as WorkerData;
/** This thread's instance of the WebAssembly kernels, over the backend's arena; undefined without them. */
const kernels: WasmKernelExports | undefined =
  startData.kernelModule !== undefined && startData.memory !== undefined ? instantiateKernels(startData.kernelModule, startData.memory) : undefined;

const fits = new Map<number, FitState>();
const scorers = new Map<number, { itemFactors: Float32Array; factors: number; pruned?: PrunedItemIndex }>();
let topNScratch: TopNScratch | undefined;

function attachFit(request: Extract<WorkerRequest, { kind: 'attachFit' }>): void {
  const { sessionId, buffers, factors, nUsers, nItems } = request;
  const userSystem: RowSystem = {
    indptr: buffers.userIndptr,
    indices: buffers.userIndices,
    data: buffers.userData,
    otherFactors: buffers.itemFactors,
    gram: buffers.gram,
    factors,
  };
  const itemSystem: RowSystem = {
    indptr: buffers.itemIndptr,
    indices: buffers.itemIndices,
    data: buffers.itemData,
    otherFactors: buffers.userFactors,
    gram: buffers.gram,
    factors,
  };
  fits.set(sessionId, {
    buffers,
    factors,
    nUsers,
    nItems,
    userSystem,
    itemSystem,
    gramScratch: new Float64Array(factors * factors),
    cg: createCgScratch(factors),
    cholesky: undefined,
    vector: new Float64Array(factors),
    wasmScratch: kernels === undefined ? undefined : request.scratch,
  });
}

function getFit(sessionId: number): FitState {
  const fit = fits.get(sessionId);
  if (fit === undefined) throw new Error(`fit session ${sessionId} is not attached to this worker`);
  return fit;
}

function computeGramTask(fit: FitState, request: Extract<WorkerRequest, { kind: 'gram' }>): void {
  const { side, bandStart, bandEnd } = request;
  const { factors, wasmScratch } = fit;
  const matrix = side === 'users' ? fit.buffers.userFactors : fit.buffers.itemFactors;
  const nRows = side === 'users' ? fit.nUsers : fit.nItems;
  const gramScratch = wasmScratch?.gram ?? fit.gramScratch;
  if (kernels !== undefined && wasmScratch !== undefined && !request.isFloat64Sum) {
    kernels.gramBand(matrix.byteOffset, factors, nRows, bandStart, bandEnd, gramScratch.byteOffset, wasmScratch.kernel.byteOffset);
  } else {
    computeGramBand(matrix, factors, nRows, bandStart, bandEnd, gramScratch);
  }
  mirrorGramBand(gramScratch, factors, bandStart, bandEnd);

  // Publish the band's rows (upper part) and their mirror images (columns of the lower part).
  const gram = fit.buffers.gram;
  for (let a = bandStart; a < bandEnd; a++) {
    for (let b = a; b < factors; b++) {
      const value = gramScratch[a * factors + b];
      gram[a * factors + b] = value;
      gram[b * factors + a] = value;
    }
  }
}

/**
 * Rows per call of the WebAssembly CG kernel. V8 moves a WebAssembly function from its baseline
 * compiler to the optimising one only between calls, so one call over every row would run unoptimised.
 */
const WASM_ROWS_PER_CALL = 2048;

function solveRowsCgWasm(
  wasmKernels: WasmKernelExports,
  scratch: WasmFitScratch,
  system: RowSystem,
  target: Float32Array,
  request: Extract<WorkerRequest, { kind: 'solve' }>,
): RowFailure | null {
  const work = scratch.kernel.byteOffset;
  wasmKernels.loadGramF32(system.gram.byteOffset, system.factors, work);
  const { indptr, indices, data, otherFactors } = system;
  for (let rowStart = request.rowStart; rowStart < request.rowEnd; rowStart += WASM_ROWS_PER_CALL) {
    const failedRow = wasmKernels.solveRowsCg(
      indptr.byteOffset,
      indices.byteOffset,
      data.byteOffset,
      otherFactors.byteOffset,
      target.byteOffset,
      system.factors,
      rowStart,
      Math.min(request.rowEnd, rowStart + WASM_ROWS_PER_CALL),
      request.regularization,
      request.cgSteps,
      work,
    );
    if (failedRow >= 0) return { row: failedRow, reason: 'non_finite_factors' };
  }
  return null;
}

function solveTask(fit: FitState, request: Extract<WorkerRequest, { kind: 'solve' }>): RowFailure | null {
  const { side, rowStart, rowEnd, regularization } = request;
  const system = side === 'users' ? fit.userSystem : fit.itemSystem;
  const target = side === 'users' ? fit.buffers.userFactors : fit.buffers.itemFactors;
  if (request.solver === 'cg' && kernels !== undefined && fit.wasmScratch !== undefined) {
    return solveRowsCgWasm(kernels, fit.wasmScratch, system, target, request);
  }
  if (request.solver === 'cg') {
    return solveRowsCg(system, regularization, request.cgSteps, target, rowStart, rowEnd, fit.cg);
  }
  fit.cholesky ??= createCholeskyScratch(fit.factors);
  return solveRowsCholesky(system, regularization, target, rowStart, rowEnd, fit.cholesky);
}

function lossTask(fit: FitState, request: Extract<WorkerRequest, { kind: 'loss' }>): void {
  const { lossPartials, itemFactors } = fit.buffers;
  for (let chunk = request.userChunkStart; chunk < request.userChunkEnd; chunk++) {
    const rowStart = chunk * REDUCTION_CHUNK_ROWS;
    const rowEnd = Math.min(fit.nUsers, rowStart + REDUCTION_CHUNK_ROWS);
    const partial = accumulateLoss(fit.userSystem, fit.buffers.userFactors, rowStart, rowEnd, fit.vector);
    lossPartials[chunk * 3] = partial.squaredError;
    lossPartials[chunk * 3 + 1] = partial.totalConfidence;
    lossPartials[chunk * 3 + 2] = partial.userNorm;
  }
  const itemBase = Math.ceil(fit.nUsers / REDUCTION_CHUNK_ROWS) * 3;
  for (let chunk = request.itemChunkStart; chunk < request.itemChunkEnd; chunk++) {
    const rowStart = chunk * REDUCTION_CHUNK_ROWS;
    const rowEnd = Math.min(fit.nItems, rowStart + REDUCTION_CHUNK_ROWS);
    lossPartials[itemBase + chunk] = sumSquares(itemFactors, fit.factors, rowStart, rowEnd);
  }
}

function topNTask(scorerId: number, task: TopNTask): void {
  const scorer = scorers.get(scorerId);
  if (scorer === undefined) throw new Error(`scorer ${scorerId} is not attached to this worker`);
  const { heapIds, heapScores } = task;
  if (kernels !== undefined && scorer.pruned !== undefined && heapIds !== undefined && heapScores !== undefined) {
    runPrunedTopN(kernels, scorer.itemFactors, scorer.factors, scorer.pruned, { ...task, heapIds, heapScores });
    return;
  }
  topNScratch = createTopNScratch(heapCapacity(task.n, task), topNScratch);
  selectTopN(
    { ...task, itemFactors: scorer.itemFactors, factors: scorer.factors },
    task,
    { ids: task.outIds, scores: task.outScores, outRow: task.outRow },
    topNScratch,
  );
}

function handle(request: WorkerRequest): unknown {
  switch (request.kind) {
    case 'attachFit':
      attachFit(request);
      return null;
    case 'detachFit':
      fits.delete(request.sessionId);
      return null;
    case 'gram':
      computeGramTask(getFit(request.sessionId), request);
      return null;
    case 'solve':
      return solveTask(getFit(request.sessionId), request);
    case 'loss':
      lossTask(getFit(request.sessionId), request);
      return null;
    case 'attachScorer':
      scorers.set(request.scorerId, { itemFactors: request.itemFactors, factors: request.factors, pruned: request.pruned });
      return null;
    case 'detachScorer':
      scorers.delete(request.scorerId);
      return null;
    case 'topN':
      topNTask(request.scorerId, request.task);
      return null;
  }
}

const port = parentPort;
if (port === null) throw new Error('the CPU backend worker must run in a worker thread');

port.on('message', (envelope: WorkerEnvelope) => {
  let reply: WorkerReply;
  try {
    reply = { id: envelope.id, ok: true, value: handle(envelope.request) };
  } catch (error) {
    const { name, message, stack } = error instanceof Error ? error : new Error(String(error));
    reply = { id: envelope.id, ok: false, error: { name, message, stack } };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true } satisfies WorkerReply);
