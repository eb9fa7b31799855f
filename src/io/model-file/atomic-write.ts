// Atomic file replacement: write a temporary file in the target's folder, fsync it, rename it over the
// target. Readers see the old file or the complete new one, never a partial write.

import { randomBytes } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../../errors.js';

/** Writes all of `bytes` at the handle's current position; FileHandle.write may write less per call. */
export async function writeFully(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, written, bytes.length - written);
    written += bytesWritten;
  }
}

/**
 * Creates `path` through `write`, atomically. The temporary file is `.NAME.PID.RANDOM.tmp` beside
 * `path` (same file system, so rename is atomic) and is removed when `write` fails. After the rename
 * the folder is fsynced too where the platform allows it, so the new name survives a power loss.
 * Throws InputError (invalid_file) naming `path` when the file cannot be created.
 */
export async function writeAtomic(path: string, write: (handle: FileHandle) => Promise<void>): Promise<void> {
  const folder = dirname(path);
  const temporary = join(folder, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let handle: FileHandle;
  try {
    handle = await open(temporary, 'wx');
  } catch (error) {
    throw new InputError('invalid_file', `${path}: cannot create a temporary file in ${folder}: ${(error as Error).message}`, { where: path }, { cause: error });
  }

  try {
    await write(handle);
    await handle.sync();
    await handle.close();
    await rename(temporary, path);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    if (error instanceof InputError) throw error;
    throw new InputError('invalid_file', `${path}: writing failed: ${(error as Error).message}`, { where: path }, { cause: error });
  }
  await syncFolder(folder);
}

/** Fsyncs a folder so a rename inside it is durable. Some platforms (Windows) cannot open folders; that is not an error. */
async function syncFolder(folder: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch {
    // The rename itself succeeded; only its durability across a power loss is unconfirmed.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
