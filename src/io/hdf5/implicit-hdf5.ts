// Reads the HDF5 data set files that the Python library implicit downloads and caches, such as its
// lastfm_360k.hdf5, into Interactions (users x items).
//
// Layout, as written by implicit/datasets/lastfm.py: a group `artist_user_plays` holding the CSR
// arrays `data`, `indices` and `indptr` of a scipy.sparse matrix, and the string datasets `artist` and
// `user` holding the names of the matrix's rows and columns. The published lastfm_360k.hdf5 was made
// by an older version of that script and stores artists x users. The current script writes users x
// artists under the same group name, so orientation 'auto' distinguishes the two by the name counts.

import { z } from 'zod';
import type { Interactions } from '../../csr/interactions.js';
import { InputError } from '../../errors.js';
import { parseOrThrow } from '../../validate.js';
import { openHdf5, readNumbers, readStrings } from './h5-file.js';
import { assembleInteractions } from './implicit-layout.js';

/** Orientation of the stored matrix: rows are items (implicit's published files) or users. */
export type Hdf5Orientation = 'auto' | 'items-users' | 'users-items';

export interface ImplicitHdf5Options {
  /** Group holding `data`, `indices` and `indptr`. Default 'artist_user_plays', implicit's name. */
  group?: string;
  /** Dataset of item names (the item ids). Default 'artist'. */
  itemsDataset?: string;
  /** Dataset of user names (the user ids). Default 'user'. */
  usersDataset?: string;
  /**
   * 'auto' (default) compares the row count with the name counts. Rows are items when only the item
   * count matches and users when only the user count matches. When both match, rows are items, as in
   * implicit's published files.
   */
  orientation?: Hdf5Orientation;
}

const datasetPath = z.string({ error: 'expected an HDF5 path' }).min(1, { error: 'expected a non-empty HDF5 path' });

const optionsSchema = z
  .object({
    group: datasetPath.default('artist_user_plays'),
    itemsDataset: datasetPath.default('artist'),
    usersDataset: datasetPath.default('user'),
    orientation: z.enum(['auto', 'items-users', 'users-items'], { error: 'expected auto, items-users or users-items' }).default('auto'),
  })
  .strict();

/**
 * Reads an implicit HDF5 data set file (for example ~/implicit_datasets/lastfm_360k.hdf5) with h5wasm.
 * Returns users x items interactions. The user ids are the `user` names, the item ids and itemNames
 * are the `artist` names, and the values are float32 play counts.
 *
 * Throws InputError `invalid_file` when the file is missing, not HDF5, lacks a dataset or has
 * inconsistent CSR arrays, and `invalid_option` for bad options.
 *
 * @example
 * const { userItems, userIds, itemNames } = await readImplicitHdf5('lastfm_360k.hdf5');
 * // userItems.nRows === userIds.size, one row per user name of the file
 */
export async function readImplicitHdf5(path: string, options: ImplicitHdf5Options = {}): Promise<Interactions> {
  const parsed = parseOrThrow(optionsSchema, options, 'readImplicitHdf5 options', (field) => (field === '' ? 'options' : field));

  const file = await openHdf5(path);
  try {
    const group = parsed.group.replace(/\/+$/, '');
    const arrays = {
      indptr: readNumbers(file, path, `${group}/indptr`, 'index'),
      indices: readNumbers(file, path, `${group}/indices`, 'index'),
      data: readNumbers(file, path, `${group}/data`, 'value'),
    };
    const itemNames = readStrings(file, path, parsed.itemsDataset);
    const userNames = readStrings(file, path, parsed.usersDataset);
    return assembleInteractions(path, { ...arrays, itemNames, userNames, orientation: parsed.orientation });
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError('invalid_file', `${path}: cannot read the HDF5 file: ${firstLine(error)}`, { where: path }, { cause: error });
  } finally {
    file.close();
  }
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split('\n')[0];
}
