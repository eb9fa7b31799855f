// The one seam between backend-neutral code (als/, recommend/) and a compute backend (cpu/, webgpu/).
// It speaks in whole-matrix operations, so a GPU backend never round-trips per user.

import type { CsrMatrix } from '../csr/csr-matrix.js';

export type DeviceKind = 'cpu' | 'webgpu';

/** The factor matrix an ALS half-step recomputes. */
export type Side = 'users' | 'items';

/** The device a backend runs on, for reports and logs. */
export interface BackendInfo {
  kind: DeviceKind;
  /** One line for reports, for example "cpu: 2 worker threads" or "webgpu: AMD RDNA2 (Vulkan)". */
  description: string;
  /** Worker threads (cpu) or 1 (webgpu). */
  threads: number;
  /** Present for webgpu. */
  adapter?: AdapterSummary;
}

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for software rasterisers (lavapipe, llvmpipe, SwiftShader). */
  isSoftware: boolean;
}

/** Parameters of one ALS half-step. */
export interface SolveParams {
  /** L2 penalty lambda added to the diagonal of every row's system (not scaled by row length, as in `implicit`). */
  regularization: number;
  /** 'cg': `cgSteps` conjugate-gradient steps warm-started from the current factors; 'cholesky': exact solve. */
  solver: 'cg' | 'cholesky';
  cgSteps: number;
}

/**
 * One fit's data, uploaded once. `userItems.data` and `itemUsers.data` hold confidence c_ui
 * (already weighted, for example 1 + alpha * r_ui), every stored value > 0 meaning preference p_ui = 1;
 * missing cells have c = 1 and p = 0. Arrays that came from the backend's allocateFitArray are used in
 * place rather than copied.
 */
export interface FitProblem {
  userItems: CsrMatrix;
  itemUsers: CsrMatrix;
  factors: number;
  /** Initial factors, row-major nUsers x factors and nItems x factors. The backend copies them (see above). */
  userFactors: Float32Array;
  itemFactors: Float32Array;
}

/**
 * A fit in progress: data and both factor matrices resident in the backend.
 *
 * solve('users') recomputes every user row x_u from the fixed item factors Y:
 *   x_u = (YtY + Y^T (C_u - I) Y + lambda I)^-1 Y^T C_u p_u,
 * computing the Gram matrix YtY once per call. Rows with no stored values get zero factors.
 * solve('items') is the same with the roles swapped. A non-finite result raises NumericError naming the row.
 */
export interface FitSession {
  solve(side: Side, params: SolveParams): Promise<void>;
  /**
   * Returns the training loss normalised as in `implicit`:
   * [sum over all cells c_ui (p_ui - x_u.y_i)^2 + lambda (|X|^2 + |Y|^2)] / (sum of c_ui over stored cells + nUsers * nItems - nnz).
   */
  loss(regularization: number): Promise<number>;
  /** Copies one factor matrix back to the host. */
  readFactors(side: Side): Promise<Float32Array>;
  /** Replaces one factor matrix (used to resume after a device loss). */
  writeFactors(side: Side, factors: Float32Array): Promise<void>;
  /**
   * Optional: returns one factor matrix in backend memory, without a copy. The array then belongs to
   * the caller: it stays valid after dispose() until it is passed to Backend.releaseFitArray. Call it
   * only after the last solve.
   */
  takeFactors?(side: Side): Float32Array;
  dispose(): Promise<void>;
}

/** Item factors resident in the backend, ready for batched scoring. */
export interface Scorer {
  readonly nItems: number;
  readonly factors: number;
  topN(request: TopNRequest): Promise<TopNResult>;
  dispose(): Promise<void>;
}

/**
 * Scores `queries` (nQueries x factors, row-major) against every item by dot product and keeps each
 * query's top n. Excluded items never appear; ties go to the lower item index.
 */
export interface TopNRequest {
  queries: Float32Array;
  n: number;
  /** Per-query excluded item indices as CSR rows (indptr has nQueries + 1 entries), for example already-liked items. */
  exclude?: { indptr: Uint32Array; indices: Uint32Array };
  /** Item indices excluded for every query, sorted ascending. */
  filterItems?: Uint32Array;
  /** When given, only these item indices (sorted ascending) are scored. */
  candidates?: Uint32Array;
}

/**
 * Row q contains query q's results in descending score order. Rows are padded with id -1 and score -Infinity
 * when fewer than n items are eligible.
 */
export interface TopNResult {
  n: number;
  ids: Int32Array;
  scores: Float32Array;
}

/** Element types of the arrays a FitProblem is made of. */
export type FitArray = Float32Array | Uint32Array;

/** Float32Array or Uint32Array, as passed to Backend.allocateFitArray. */
export interface FitArrayConstructor<T extends FitArray> {
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): T;
  readonly BYTES_PER_ELEMENT: number;
}

/** A compute backend. Created by backends/select.ts, released with dispose(). */
export interface Backend {
  readonly info: BackendInfo;
  /**
   * Optional: returns a zero-filled array of `length` elements in the memory the backend fits in, or
   * undefined when that memory is full. startFit uses such arrays in place instead of copying them
   * (factor arrays are updated in place). They stay the caller's, who frees each with releaseFitArray
   * once no session uses it.
   */
  allocateFitArray?<T extends FitArray>(type: FitArrayConstructor<T>, length: number): T | undefined;
  /** Optional: true for an array from allocateFitArray or FitSession.takeFactors that is not released yet. */
  isFitArray?(array: FitArray): boolean;
  /** Optional: frees an array from allocateFitArray or FitSession.takeFactors; other arrays are ignored. */
  releaseFitArray?(array: FitArray): void;
  startFit(problem: FitProblem): Promise<FitSession>;
  /**
   * Uploads item factors (nItems x factors, row-major) for scoring. The backend copies them, except
   * that the CPU backend scores arrays from allocateFitArray or FitSession.takeFactors in place, so
   * those must not be released or changed before the scorer is disposed.
   */
  createScorer(itemFactors: Float32Array, factors: number): Promise<Scorer>;
  dispose(): Promise<void>;
}
