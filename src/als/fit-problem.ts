// Builds a fit's input (confidence in both orientations and the initial factors) straight into the
// memory the backend fits in, when the backend offers it, so no host copy sits beside the upload.

import type { Backend, FitArray, FitArrayConstructor, FitProblem } from '../backends/backend.js';
import { CsrMatrix } from '../csr/csr-matrix.js';
import type { Random } from '../random.js';
import { fillInitialFactors } from './init-factors.js';
import { writeConfidence, type InteractionsLike } from './input.js';

export interface FitProblemSource {
  /** Checked input (see normalizeFitData and writeConfidence); its values are read, never kept. */
  interactions: InteractionsLike;
  alpha: number;
  factors: number;
  /** Draws the user factors, then the item factors. */
  random: Random;
  /** Backend whose allocateFitArray supplies the arrays; without that method they are host arrays. */
  backend: Backend;
}

/** A FitProblem and the arrays that buildFitProblem took from the backend for it. */
export interface BuiltFitProblem {
  problem: FitProblem;
  /** Arrays from Backend.allocateFitArray; the caller frees each with releaseFitArray once no session uses it. */
  allocated: FitArray[];
}

/**
 * Returns the FitProblem for `source`: confidence c_ui = 1 + alpha * r_ui as userItems, its transpose
 * as itemUsers, and initial factors uniform in [0, 0.01). Each array comes from the backend's
 * allocateFitArray where it returns one, so startFit uses it without a copy. The row pointers and
 * column indices of the interactions are used as they are when they are such arrays already.
 */
export function buildFitProblem(source: FitProblemSource): BuiltFitProblem {
  const { interactions, alpha, factors, random, backend } = source;
  const { indptr, indices, shape } = interactions.userItems;
  const [nUsers, nItems] = shape;
  const nnz = indices.length;
  const allocated: FitArray[] = [];
  const allocate = <T extends FitArray>(type: FitArrayConstructor<T>, length: number): T => {
    const array = backend.allocateFitArray?.(type, length);
    if (array === undefined) return new type(new ArrayBuffer(length * type.BYTES_PER_ELEMENT));
    allocated.push(array);
    return array;
  };
  // A host array is passed on as it is when the backend has no fit memory, because startFit copies it.
  const reuseOrCopy = (array: Uint32Array): Uint32Array => {
    if (backend.isFitArray?.(array) === true) return array;
    const copy = backend.allocateFitArray?.(Uint32Array, array.length);
    if (copy === undefined) return array;
    allocated.push(copy);
    copy.set(array);
    return copy;
  };

  try {
    const userIndptr = reuseOrCopy(indptr);
    const userIndices = reuseOrCopy(indices);
    const userData = allocate(Float32Array, nnz);
    writeConfidence(interactions, alpha, userData);
    const userItems = new CsrMatrix({ indptr: userIndptr, indices: userIndices, data: userData, shape }, { validate: false });
    const itemUsers = transposeInto(userItems, {
      indptr: allocate(Uint32Array, nItems + 1),
      indices: allocate(Uint32Array, nnz),
      data: allocate(Float32Array, nnz),
    });
    const userFactors = fillInitialFactors(allocate(Float32Array, nUsers * factors), random);
    const itemFactors = fillInitialFactors(allocate(Float32Array, nItems * factors), random);
    return { problem: { userItems, itemUsers, factors, userFactors, itemFactors }, allocated };
  } catch (error) {
    for (const array of allocated) backend.releaseFitArray?.(array);
    throw error;
  }
}

/**
 * Writes the transpose of `matrix` into `out` (zero-filled, indptr of nCols + 1 entries, nnz indices
 * and values) and returns it as a CsrMatrix. The same counting sort as CsrMatrix.transpose, which
 * allocates its own arrays: walking rows in order keeps each output row sorted.
 */
function transposeInto(matrix: CsrMatrix, out: { indptr: Uint32Array; indices: Uint32Array; data: Float32Array }): CsrMatrix {
  const { nRows, nCols, indptr, indices, data } = matrix;
  const outIndptr = out.indptr;
  for (let k = 0; k < indices.length; k++) outIndptr[indices[k] + 1]++;
  for (let c = 0; c < nCols; c++) outIndptr[c + 1] += outIndptr[c];

  const cursor = outIndptr.slice(0, nCols);
  for (let r = 0; r < nRows; r++) {
    for (let k = indptr[r]; k < indptr[r + 1]; k++) {
      const position = cursor[indices[k]]++;
      out.indices[position] = r;
      out.data[position] = data[k];
    }
  }
  return new CsrMatrix({ indptr: outIndptr, indices: out.indices, data: out.data, shape: [nCols, nRows] }, { validate: false });
}
