// Messages between the CPU backend (main thread) and its worker threads. Every typed array in a
// message is backed by a SharedArrayBuffer, so posting it shares the memory instead of copying it.

import type { Side } from '../backend.js';
import type { PrunedItemIndex, RowFailure } from './kernels/index.js';

/** One fit's data and factors, shared by every worker for the session's lifetime. */
export interface FitBuffers {
  userIndptr: Uint32Array;
  userIndices: Uint32Array;
  /** Confidence c_ui per stored user-item cell. */
  userData: Float32Array;
  itemIndptr: Uint32Array;
  itemIndices: Uint32Array;
  itemData: Float32Array;
  userFactors: Float32Array;
  itemFactors: Float32Array;
  /** Gram matrix of the side last passed to a 'gram' task, factors x factors. */
  gram: Float64Array;
  /** Loss partial sums: 3 per user chunk (squared error, confidence, user norm), then 1 per item chunk (item norm). */
  lossPartials: Float64Array;
}

/** Given to every worker at start. Both fields are present when the WebAssembly kernels are in use. */
export interface WorkerData {
  kernelModule?: WebAssembly.Module;
  /** The arena's shared memory, which the worker's kernel instance imports. */
  memory?: WebAssembly.Memory;
}

/** One worker's private work space in the arena for the WebAssembly fit kernels. */
export interface WasmFitScratch {
  /** Gram band rows, factors x factors float64. */
  gram: Float64Array;
  /** Kernel work space of at least max(gramScratchBytes, cgScratchBytes) bytes. */
  kernel: Float64Array;
}

/** One slice of a top-N request; see selectTopN for the meaning of each field. */
export interface TopNTask {
  queries: Float32Array;
  n: number;
  excludeIndptr?: Uint32Array;
  excludeIndices?: Uint32Array;
  filterItems?: Uint32Array;
  candidates?: Uint32Array;
  queryStart: number;
  queryEnd: number;
  positionStart: number;
  positionEnd: number;
  outIds: Int32Array;
  outScores: Float32Array;
  outRow: number;
  /** Heap space of min(n, nItems) pairs in the arena; when present, the worker runs the pruned WebAssembly kernel. */
  heapIds?: Int32Array;
  heapScores?: Float32Array;
}

export type WorkerRequest =
  /** `scratch` is present when `buffers` live in the arena, and then the worker runs the WebAssembly kernels. */
  | { kind: 'attachFit'; sessionId: number; buffers: FitBuffers; factors: number; nUsers: number; nItems: number; scratch?: WasmFitScratch }
  | { kind: 'detachFit'; sessionId: number }
  /**
   * Computes Gram rows [bandStart, bandEnd) of `side`'s factors into buffers.gram. With isFloat64Sum,
   * the TypeScript kernel sums every entry in float64 in row order, as the Cholesky solver and the loss
   * need. Without it, the WebAssembly kernel may sum blocks of rows in float32 first.
   */
  | { kind: 'gram'; sessionId: number; side: Side; bandStart: number; bandEnd: number; isFloat64Sum: boolean }
  | {
      kind: 'solve';
      sessionId: number;
      side: Side;
      rowStart: number;
      rowEnd: number;
      regularization: number;
      solver: 'cg' | 'cholesky';
      cgSteps: number;
    }
  /** Fills lossPartials for user chunks [userChunkStart, userChunkEnd) and item chunks [itemChunkStart, itemChunkEnd). */
  | { kind: 'loss'; sessionId: number; userChunkStart: number; userChunkEnd: number; itemChunkStart: number; itemChunkEnd: number }
  /** `pruned` is present when the items live in the arena and the pruned kernel can rank them. */
  | { kind: 'attachScorer'; scorerId: number; itemFactors: Float32Array; factors: number; pruned?: PrunedItemIndex }
  | { kind: 'detachScorer'; scorerId: number }
  | { kind: 'topN'; scorerId: number; task: TopNTask };

/** Result type of each request kind. */
export interface WorkerResults {
  attachFit: null;
  detachFit: null;
  gram: null;
  solve: RowFailure | null;
  loss: null;
  attachScorer: null;
  detachScorer: null;
  topN: null;
}

export interface WorkerEnvelope {
  id: number;
  request: WorkerRequest;
}

export type WorkerReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; message: string; stack?: string } }
  /** Sent once when the worker has loaded its modules. */
  | { ready: true };
