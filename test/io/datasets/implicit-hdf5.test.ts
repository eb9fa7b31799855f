import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import h5wasm from 'h5wasm/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { readImplicitHdf5 } from '../../../src/io/hdf5/index.js';
import { makeTempDir } from './fixtures.js';

/**
 * Plays of 3 users on 4 artists, users x artists:
 *   user a: artist w 5, artist z 1
 *   user b: (none)
 *   user c: artist x 2, artist y 7, artist z 3
 */
const ARTISTS = ['w', 'x', 'y', 'z'];
const USERS = ['a', 'b', 'c'];
const USER_ARTIST = { indptr: [0, 2, 2, 5], indices: [0, 3, 1, 2, 3], data: [5, 1, 2, 7, 3] };
/** The same plays as artists x users, the layout of implicit's published lastfm_360k.hdf5. */
const ARTIST_USER = { indptr: [0, 1, 2, 3, 5], indices: [0, 2, 2, 0, 2], data: [5, 2, 7, 1, 3] };

interface Layout {
  group?: string;
  indptr: ArrayLike<number> | BigInt64Array;
  indices: ArrayLike<number>;
  data: ArrayLike<number>;
  artists?: string[];
  users?: string[];
}

let folder: string;
beforeAll(async () => {
  folder = await makeTempDir('hdf5');
  await h5wasm.ready;
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** Writes an HDF5 file the way implicit's generate_dataset does with h5py, and returns its path. */
function writeImplicitFile(name: string, layout: Layout): string {
  const path = join(folder, name);
  const file = new h5wasm.File(path, 'w');
  try {
    const group = file.create_group(layout.group ?? 'artist_user_plays');
    group.create_dataset({ name: 'data', data: Float32Array.from(layout.data) });
    group.create_dataset({ name: 'indptr', data: layout.indptr instanceof BigInt64Array ? layout.indptr : Int32Array.from(layout.indptr) });
    group.create_dataset({ name: 'indices', data: Int32Array.from(layout.indices) });
    file.create_dataset({ name: 'artist', data: layout.artists ?? ARTISTS });
    file.create_dataset({ name: 'user', data: layout.users ?? USERS });
  } finally {
    file.close();
  }
  return path;
}

function expectUserArtistPlays(interactions: Awaited<ReturnType<typeof readImplicitHdf5>>): void {
  expect(interactions.userIds.toArray()).toEqual(USERS);
  expect(interactions.itemIds.toArray()).toEqual(ARTISTS);
  expect(interactions.itemNames).toEqual(ARTISTS);
  expect(interactions.userItems.shape).toEqual([3, 4]);
  expect(Array.from(interactions.userItems.indptr)).toEqual(USER_ARTIST.indptr);
  expect(Array.from(interactions.userItems.indices)).toEqual(USER_ARTIST.indices);
  expect(Array.from(interactions.userItems.data)).toEqual(USER_ARTIST.data);
  expect(interactions.stats.rows).toBe(5);
}

describe('readImplicitHdf5', () => {
  it('transposes the published artists x users layout', async () => {
    const path = writeImplicitFile('artist-user.hdf5', ARTIST_USER);
    expectUserArtistPlays(await readImplicitHdf5(path));
  });

  it('reads the newer users x artists layout', async () => {
    const path = writeImplicitFile('user-artist.hdf5', USER_ARTIST);
    expectUserArtistPlays(await readImplicitHdf5(path));
  });

  it('sorts unsorted rows of a users x artists file', async () => {
    const unsorted = { indptr: [0, 2, 2, 5], indices: [3, 0, 3, 1, 2], data: [1, 5, 3, 2, 7] };
    const path = writeImplicitFile('unsorted.hdf5', unsorted);
    expectUserArtistPlays(await readImplicitHdf5(path));
  });

  it('reads 64-bit indptr', async () => {
    const path = writeImplicitFile('int64.hdf5', { ...ARTIST_USER, indptr: BigInt64Array.from(ARTIST_USER.indptr, BigInt) });
    expectUserArtistPlays(await readImplicitHdf5(path));
  });

  it('treats a square matrix as artists x users', async () => {
    const path = writeImplicitFile('square.hdf5', { indptr: [0, 1, 1], indices: [1], data: [4], artists: ['p', 'q'], users: ['u', 'v'] });
    const interactions = await readImplicitHdf5(path);
    // Stored (artist p, user v) = 4 becomes (user v, artist p).
    expect(interactions.userItems.get(1, 0)).toBe(4);
    const asUsers = await readImplicitHdf5(path, { orientation: 'users-items' });
    expect(asUsers.userItems.get(0, 1)).toBe(4);
  });

  it('reads a group under another name', async () => {
    const path = writeImplicitFile('renamed.hdf5', { ...ARTIST_USER, group: 'item_user_plays' });
    expectUserArtistPlays(await readImplicitHdf5(path, { group: 'item_user_plays' }));
  });
});

describe('readImplicitHdf5 errors', () => {
  async function rejection(promise: Promise<unknown>): Promise<InputError> {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }

  it('names a missing group', async () => {
    const path = writeImplicitFile('other-group.hdf5', { ...ARTIST_USER, group: 'plays' });
    const error = await rejection(readImplicitHdf5(path));
    expect(error.message).toContain(`${path}: expected a dataset artist_user_plays/indptr, found none (top-level names: artist, plays, user)`);
  });

  it('rejects a file that is not HDF5', async () => {
    const path = join(folder, 'text.hdf5');
    await writeFile(path, 'user\tartist\tplays\n');
    const error = await rejection(readImplicitHdf5(path));
    expect(error.message).toBe(`${path}: not an HDF5 file (no HDF5 signature at byte 0, 512, 1024, ...)`);
  });

  it('names a missing file', async () => {
    const error = await rejection(readImplicitHdf5(join(folder, 'none.hdf5')));
    expect(error.message).toMatch(/none\.hdf5: HDF5 file not found/);
  });

  it('rejects row counts that match neither name list', async () => {
    const path = writeImplicitFile('bad-rows.hdf5', { indptr: [0, 1], indices: [0], data: [1] });
    const error = await rejection(readImplicitHdf5(path));
    expect(error.message).toMatch(/indptr describes 1 rows, and there are 4 item names and 3 user names; expected one row per item or one row per user/);
  });

  it('rejects out-of-range column indices', async () => {
    const path = writeImplicitFile('bad-index.hdf5', { ...ARTIST_USER, indices: [0, 2, 2, 0, 9] });
    const error = await rejection(readImplicitHdf5(path));
    expect(error.message).toMatch(/indices\[4\] is 9, out of range for 3 columns/);
  });

  it('rejects repeated user names', async () => {
    const path = writeImplicitFile('repeated.hdf5', { ...ARTIST_USER, users: ['a', 'a', 'c'] });
    const error = await rejection(readImplicitHdf5(path));
    expect(error.message).toMatch(/1 user names are repeated/);
  });

  it('rejects unknown options', async () => {
    const error = await rejection(readImplicitHdf5('x.hdf5', { orientation: 'sideways' } as never));
    expect(error.code).toBe('invalid_option');
    expect(error.message).toMatch(/orientation/);
  });
});
