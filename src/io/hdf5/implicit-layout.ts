// Turns the CSR arrays and name lists of an implicit HDF5 file into users x items Interactions.

import { CsrMatrix, validateCsr } from '../../csr/csr-matrix.js';
import { IdMap } from '../../csr/id-map.js';
import { emptyStats, type Interactions } from '../../csr/interactions.js';
import { sortRowSegment } from '../../csr/row-sort.js';
import { InputError } from '../../errors.js';
import type { Hdf5Orientation } from './implicit-hdf5.js';

export interface StoredArrays {
  indptr: Uint32Array;
  indices: Uint32Array;
  data: Float32Array;
  itemNames: string[];
  userNames: string[];
  orientation: Hdf5Orientation;
}

/** Checks the stored arrays, transposes an items x users matrix and returns users x items Interactions. */
export function assembleInteractions(path: string, stored: StoredArrays): Interactions {
  const fail = (problem: string, details: Record<string, unknown> = {}) => new InputError('invalid_file', `${path}: ${problem}`, { where: path, ...details });
  const { indptr, indices, data, itemNames, userNames } = stored;
  const nUsers = userNames.length;
  const nItems = itemNames.length;

  const rowsAreItems = chooseOrientation(stored.orientation, indptr.length - 1, nItems, nUsers, fail);
  const nRows = rowsAreItems ? nItems : nUsers;
  const nCols = rowsAreItems ? nUsers : nItems;
  checkStructure(indptr, indices, data, nRows, nCols, fail);

  let userItems = new CsrMatrix({ indptr, indices, data, shape: [nRows, nCols] }, { validate: false });
  if (rowsAreItems) {
    // transpose() visits stored rows in order, so every output row comes out sorted by item.
    userItems = userItems.transpose();
  } else {
    for (let row = 0; row < nRows; row++) sortRowSegment(indices, data, indptr[row], indptr[row + 1]);
  }
  try {
    validateCsr(userItems);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    throw fail(`the users x items matrix built from the file is invalid: ${error.message.replace(/^invalid CSR matrix: /, '')}`, error.details);
  }

  const userIds = uniqueIds(userNames, 'user', fail);
  const itemIds = uniqueIds(itemNames, 'item', fail);
  const stats = emptyStats();
  stats.rows = userItems.nnz;
  return { userIds, itemIds, userItems, itemNames: itemNames.slice(), stats };
}

type Fail = (problem: string, details?: Record<string, unknown>) => InputError;

function chooseOrientation(orientation: Hdf5Orientation, nRows: number, nItems: number, nUsers: number, fail: Fail): boolean {
  const counts = `indptr describes ${nRows} rows, and there are ${nItems} item names and ${nUsers} user names`;
  if (orientation === 'items-users') {
    if (nRows !== nItems) throw fail(`${counts}; orientation items-users needs one row per item name`);
    return true;
  }
  if (orientation === 'users-items') {
    if (nRows !== nUsers) throw fail(`${counts}; orientation users-items needs one row per user name`);
    return false;
  }
  if (nRows === nItems) return true;
  if (nRows === nUsers) return false;
  throw fail(`${counts}; expected one row per item or one row per user`);
}

/** The structure checks that must pass before transposing; validateCsr checks order and values after. */
function checkStructure(indptr: Uint32Array, indices: Uint32Array, data: Float32Array, nRows: number, nCols: number, fail: Fail): void {
  if (indptr.length === 0 || indptr[0] !== 0) throw fail(`indptr must start with 0, found ${indptr.length === 0 ? 'an empty array' : indptr[0]}`);
  const nnz = indptr[nRows];
  if (indices.length !== nnz || data.length !== nnz) {
    throw fail(`indptr ends at ${nnz} but indices has ${indices.length} and data has ${data.length} entries; all three must agree`);
  }
  for (let row = 0; row < nRows; row++) {
    if (indptr[row + 1] < indptr[row]) throw fail(`indptr decreases at row ${row} (${indptr[row]} then ${indptr[row + 1]})`, { row });
  }
  for (let k = 0; k < nnz; k++) {
    if (indices[k] >= nCols) throw fail(`indices[${k}] is ${indices[k]}, out of range for ${nCols} columns`, { position: k });
  }
}

function uniqueIds(names: string[], kind: 'user' | 'item', fail: Fail): IdMap {
  const ids = new IdMap(names);
  if (ids.size !== names.length) throw fail(`${names.length - ids.size} ${kind} names are repeated; each row and column needs a distinct name`);
  return ids;
}
