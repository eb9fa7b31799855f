// Building a CSR matrix from (row, column, value) triplets: counting sort by row, sort within each row,
// then sum duplicate cells, all in typed arrays so tens of millions of triplets fit in a few hundred MB.

import { InputError } from '../errors.js';
import { CsrMatrix } from './csr-matrix.js';
import { sortRowSegment } from './row-sort.js';

/** The largest row or column count; indices are stored as uint32. */
const MAX_DIMENSION = 2 ** 32 - 1;

/** Names the cell (row, col) in error messages, for example `user "u1" and item "i1"`. */
export type DescribeCell = (row: number, col: number) => string;

const describeRowColumn: DescribeCell = (row, col) => `row ${row}, column ${col}`;

/** A CSR matrix built from triplets, with the number of triplets that were folded into an earlier one. */
export interface CsrBuild {
  matrix: CsrMatrix;
  /** Triplets whose (row, column) cell had already appeared, so their value was added to that cell. */
  duplicatesSummed: number;
}

/**
 * Builds a CSR matrix of `shape` from index triplets: entry k puts `values[k]` at (`rows[k]`, `cols[k]`).
 * Column indices come out sorted within each row, and triplets that share a cell are summed
 * (so count data stays counts). A cell whose values sum to 0 is kept as a stored 0.
 *
 * Runs in O(nnz log(row length) + nRows) time with one output-sized allocation.
 * Throws InputError `invalid_triplets` when the three arrays differ in length, or a value or the sum
 * of a cell's values is not finite in float32 (beyond about 3.4e38), and `csr_shape_mismatch` when an
 * index is not an integer inside `shape`.
 *
 * @example
 * const userItems = csrFromTriplets([0, 0, 1], [2, 2, 0], [1, 3, 5], [2, 3]);
 * userItems.get(0, 2); // 4
 */
export function csrFromTriplets(
  rows: ArrayLike<number>,
  cols: ArrayLike<number>,
  values: ArrayLike<number>,
  shape: readonly [number, number],
): CsrMatrix {
  return buildCsr(rows, cols, values, shape).matrix;
}

/**
 * Same as {@link csrFromTriplets}, and also returns how many duplicate triplets were summed.
 * `describeCell` names a cell in the message about a sum that overflows float32.
 */
export function buildCsr(
  rows: ArrayLike<number>,
  cols: ArrayLike<number>,
  values: ArrayLike<number>,
  shape: readonly [number, number],
  describeCell: DescribeCell = describeRowColumn,
): CsrBuild {
  validateTriplets(rows, cols, values, shape);
  const [nRows, nCols] = shape;
  const count = rows.length;

  // Counting sort by row: indptr[r + 1] first counts row r's entries, then becomes the running sum.
  const indptr = new Uint32Array(nRows + 1);
  let isGroupedByRow = true;
  let previousRow = 0;
  for (let k = 0; k < count; k++) {
    const row = rows[k];
    indptr[row + 1]++;
    if (row < previousRow) isGroupedByRow = false;
    previousRow = row;
  }
  for (let r = 0; r < nRows; r++) indptr[r + 1] += indptr[r];

  let indices = new Uint32Array(count);
  let data = new Float32Array(count);
  if (isGroupedByRow) {
    // Files grouped by user (Last.fm, MovieLens) give rows in order, so every entry already sits at its place.
    indices.set(cols);
    data.set(values);
  } else {
    const cursor = indptr.slice(0, nRows);
    for (let k = 0; k < count; k++) {
      const position = cursor[rows[k]]++;
      indices[position] = cols[k];
      data[position] = values[k];
    }
  }

  const nnz = sortAndSumRows(indptr, indices, data, nRows, describeCell);
  if (nnz < count) {
    indices = indices.slice(0, nnz);
    data = data.slice(0, nnz);
  }
  const matrix = new CsrMatrix({ indptr, indices, data, shape: [nRows, nCols] }, { validate: false });
  return { matrix, duplicatesSummed: count - nnz };
}

/**
 * Sorts every row by column and merges equal columns in place, rewriting `indptr` to the merged
 * layout. Returns the new nnz. Writes never overtake reads, because a merged row is never longer
 * than the original row and starts no later.
 */
function sortAndSumRows(indptr: Uint32Array, indices: Uint32Array, data: Float32Array, nRows: number, describeCell: DescribeCell): number {
  let write = 0;
  let start = 0;
  for (let r = 0; r < nRows; r++) {
    const end = indptr[r + 1];
    sortRowSegment(indices, data, start, end);

    let k = start;
    while (k < end) {
      const column = indices[k];
      // Sum in float64 and round once when storing, so long runs of duplicates lose no precision early.
      let sum = data[k];
      const runStart = k;
      k++;
      while (k < end && indices[k] === column) {
        sum += data[k];
        k++;
      }
      if (k - runStart > 1 && !Number.isFinite(Math.fround(sum))) throw sumOverflow(describeCell(r, column), k - runStart, sum);
      indices[write] = column;
      data[write] = sum;
      write++;
    }

    indptr[r + 1] = write;
    start = end;
  }
  return write;
}

function validateTriplets(rows: ArrayLike<number>, cols: ArrayLike<number>, values: ArrayLike<number>, shape: readonly [number, number]): void {
  const [nRows, nCols] = shape;
  if (isDimension(nRows) && isDimension(nCols) && areTypedTripletsValid(rows, cols, values, nRows, nCols)) return;
  if (!isDimension(nRows) || !isDimension(nCols)) {
    throw new InputError('csr_shape_mismatch', `shape [${nRows}, ${nCols}] is invalid; expected two integers in [0, ${MAX_DIMENSION}]`, {
      received: `[${nRows}, ${nCols}]`,
    });
  }
  if (rows.length !== cols.length || rows.length !== values.length) {
    throw new InputError(
      'invalid_triplets',
      `triplet arrays differ in length: ${rows.length} rows, ${cols.length} cols and ${values.length} values; pass one row, column and value per entry`,
      { received: `${rows.length}, ${cols.length}, ${values.length}` },
    );
  }

  for (let k = 0; k < rows.length; k++) {
    const row = rows[k];
    const col = cols[k];
    if (!Number.isInteger(row) || row < 0 || row >= nRows) {
      throw new InputError('csr_shape_mismatch', `row index ${row} of triplet ${k} is outside the ${nRows} rows of shape [${nRows}, ${nCols}]`, {
        where: `triplet ${k}`,
        received: String(row),
        expected: `an integer in [0, ${nRows - 1}]`,
      });
    }
    if (!Number.isInteger(col) || col < 0 || col >= nCols) {
      throw new InputError('csr_shape_mismatch', `column index ${col} of triplet ${k} is outside the ${nCols} columns of shape [${nRows}, ${nCols}]`, {
        where: `triplet ${k}`,
        received: String(col),
        expected: `an integer in [0, ${nCols - 1}]`,
      });
    }
    if (!Number.isFinite(values[k])) {
      throw new InputError('invalid_triplets', `value ${values[k]} of triplet ${k} is not finite; expected a finite number`, {
        where: `triplet ${k}`,
        received: String(values[k]),
      });
    }
    if (!Number.isFinite(Math.fround(values[k]))) {
      throw new InputError('invalid_triplets', `value ${values[k]} of triplet ${k} overflows float32, whose maximum is about 3.4e38; scale the values down`, {
        where: `triplet ${k}`,
        received: String(values[k]),
        expected: 'a number within about ±3.4e38',
      });
    }
  }
}

/**
 * Checks the common case of TripletBuilder's arrays in one tight pass. Uint32 indices are always
 * whole and non-negative, so only their maximum matters. Returns false for other arrays and for any
 * invalid entry, which the full checks then name.
 */
function areTypedTripletsValid(rows: ArrayLike<number>, cols: ArrayLike<number>, values: ArrayLike<number>, nRows: number, nCols: number): boolean {
  if (!(rows instanceof Uint32Array && cols instanceof Uint32Array && values instanceof Float32Array)) return false;
  if (rows.length !== cols.length || rows.length !== values.length) return false;
  let maxRow = 0;
  let maxCol = 0;
  let nonFinite = 0;
  for (let k = 0; k < rows.length; k++) {
    if (rows[k] > maxRow) maxRow = rows[k];
    if (cols[k] > maxCol) maxCol = cols[k];
    // v - v is 0 for a finite v and NaN for an infinite or NaN one.
    if (values[k] - values[k] !== 0) nonFinite++;
  }
  return nonFinite === 0 && (rows.length === 0 || (maxRow < nRows && maxCol < nCols));
}

function sumOverflow(cell: string, count: number, sum: number): InputError {
  return new InputError('invalid_triplets', `the ${count} values for ${cell} sum to ${sum}, which overflows float32, whose maximum is about 3.4e38; scale the values down`, {
    where: cell,
    received: String(sum),
    expected: 'a sum within about ±3.4e38',
  });
}

function isDimension(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= MAX_DIMENSION;
}
