// Helpers over h5wasm, the HDF5 C library compiled to WebAssembly. They open a file read-only and read
// 1-D numeric and string datasets, with errors that name the file and the dataset.

import { type FileHandle, open } from 'node:fs/promises';
import { InputError } from '../../errors.js';
import { describeOpenFailure } from '../file-errors.js';

type H5wasm = typeof import('h5wasm/node').default;
export type H5File = InstanceType<H5wasm['File']>;

/** HDF5 files start with this signature at byte 0, 512, 1024, 2048, ... (a user block may come first). */
const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

let h5wasmPromise: Promise<H5wasm> | undefined;

/**
 * Loads h5wasm once, on first use, so callers that never read HDF5 do not start its WebAssembly
 * module. Its error handler is switched to throwing, so HDF5 errors become exceptions instead of
 * diagnostics printed to stderr.
 */
function loadH5wasm(): Promise<H5wasm> {
  h5wasmPromise ??= import('h5wasm/node').then(async ({ default: h5wasm }) => {
    const module = await h5wasm.ready;
    module.activate_throwing_error_handler();
    return h5wasm;
  });
  return h5wasmPromise;
}

/** Opens `path` read-only. Throws InputError `invalid_file` when it is missing, unreadable or not HDF5. */
export async function openHdf5(path: string): Promise<H5File> {
  await checkSignature(path);
  const h5wasm = await loadH5wasm();
  try {
    return new h5wasm.File(path, 'r');
  } catch (error) {
    const detail = String(error instanceof Error ? error.message : error).split('\n').find((line) => /minor:|error message/.test(line)) ?? String(error);
    throw new InputError('invalid_file', `${path}: h5wasm cannot open the HDF5 file (${detail.trim()})`, { where: path }, { cause: error });
  }
}

async function checkSignature(path: string): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError('invalid_file', `${path}: HDF5 file ${describeOpenFailure(error)}`, { where: path, received: code }, { cause: error });
  }
  try {
    const size = (await handle.stat()).size;
    const probe = Buffer.alloc(HDF5_SIGNATURE.length);
    for (let offset = 0; offset + probe.length <= size; offset = offset === 0 ? 512 : offset * 2) {
      await handle.read(probe, 0, probe.length, offset);
      if (probe.equals(HDF5_SIGNATURE)) return;
    }
    throw new InputError('invalid_file', `${path}: not an HDF5 file (no HDF5 signature at byte 0, 512, 1024, ...)`, { where: path });
  } finally {
    await handle.close();
  }
}

function getDataset(file: H5File, path: string, name: string) {
  const entity = file.get(name);
  if (entity === null || !('shape' in entity) || !('value' in entity)) {
    const found = file.keys().join(', ');
    throw new InputError('invalid_file', `${path}: expected a dataset ${name}, found ${entity === null ? 'none' : 'a non-dataset object'} (top-level names: ${found})`, {
      where: `${path}:${name}`,
      expected: name,
    });
  }
  if (entity.shape === null || entity.shape.length !== 1) {
    throw new InputError('invalid_file', `${path}: dataset ${name} has shape [${entity.shape?.join(', ') ?? ''}], expected one dimension`, { where: `${path}:${name}` });
  }
  return entity;
}

/**
 * Reads a 1-D numeric dataset. 'index' datasets (indptr, indices) become Uint32Array and must contain
 * integers in [0, 2^32). 'value' datasets become Float32Array. Int32 arrays are reinterpreted in place.
 */
export function readNumbers(file: H5File, path: string, name: string, kind: 'index'): Uint32Array;
export function readNumbers(file: H5File, path: string, name: string, kind: 'value'): Float32Array;
export function readNumbers(file: H5File, path: string, name: string, kind: 'index' | 'value'): Uint32Array | Float32Array {
  const value = getDataset(file, path, name).value;
  const fail = (problem: string) => new InputError('invalid_file', `${path}: dataset ${name} ${problem}`, { where: `${path}:${name}` });
  if (!ArrayBuffer.isView(value)) throw fail('is not numeric');

  if (kind === 'value') {
    if (value instanceof Float32Array) return value;
    if (value instanceof BigInt64Array || value instanceof BigUint64Array) return Float32Array.from(value, Number);
    return Float32Array.from(value as ArrayLike<number>);
  }

  if (value instanceof Float32Array || value instanceof Float64Array) throw fail('contains floating-point numbers, expected integers');
  const numbers = value as unknown as ArrayLike<number | bigint>;
  for (let i = 0; i < numbers.length; i++) {
    const entry = numbers[i];
    if (entry < 0 || entry > 0xffffffff) throw fail(`has ${String(entry)} at position ${i}, outside [0, 2^32 - 1]`);
  }
  if (value instanceof Uint32Array) return value;
  if (value instanceof Int32Array) return new Uint32Array(value.buffer, value.byteOffset, value.length);
  if (value instanceof BigInt64Array || value instanceof BigUint64Array) return Uint32Array.from(value, Number);
  return Uint32Array.from(value as ArrayLike<number>);
}

/** Reads a 1-D dataset of strings (variable- or fixed-length, as h5py writes them). */
export function readStrings(file: H5File, path: string, name: string): string[] {
  const value = getDataset(file, path, name).value;
  if (!Array.isArray(value) || !value.every((entry) => typeof entry === 'string')) {
    throw new InputError('invalid_file', `${path}: dataset ${name} does not contain strings, expected one name per row or column`, { where: `${path}:${name}` });
  }
  return value as string[];
}
