// The training matrix's values, read from the still-open model file on first use. Serving needs only
// the matrix's structure, so a loaded model leaves these nnz floats (4 bytes each) on disk.

import { fstatSync, readSync, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { DeferredValues } from '../../csr/csr-matrix.js';
import type { Checksum } from './checksum.js';
import { failModelFile } from './file-error.js';
import type { SectionEntry } from './format.js';

/** Bytes read per step while a row read first checks the whole section against its checksum. */
const CHECK_CHUNK_BYTES = 1 << 22;

/**
 * A float32 section of an open model file. The handle stays open until close(), so replacing the file
 * at its path (save() renames a new file over it) leaves these reads on the bytes that were loaded.
 * Writing into the same file in place is detected by its size, modification time and change time,
 * which are compared with those at load before every read.
 */
export class DeferredSection implements DeferredValues {
  private isClosed = false;
  private isChecked = false;

  constructor(
    private readonly path: string,
    private readonly handle: FileHandle,
    private readonly entry: SectionEntry,
    private readonly checksum: Checksum,
    /** The file's stat when it was opened for load. */
    private readonly loaded: Pick<Stats, 'size' | 'mtimeMs' | 'ctimeMs'>,
  ) {}

  /** Reads the whole section into an array of its own and checks it against the section checksum. */
  readAll(): Float32Array {
    const bytes = Buffer.allocUnsafeSlow(this.entry.byteLength);
    this.readAt(bytes, this.entry.offset);
    if (this.checksum(bytes) !== this.entry.checksum) this.failChecksum();
    this.isChecked = true;
    return new Float32Array(bytes.buffer, bytes.byteOffset, this.entry.length);
  }

  /**
   * Reads values [start, end). The first call checks the whole section against its checksum in 4 MiB
   * steps, keeping none of it, so a damaged section fails here as it would in readAll().
   */
  readRange(start: number, end: number): Float32Array {
    if (!this.isChecked) this.checkSection();
    const values = new Float32Array(end - start);
    this.readAt(new Uint8Array(values.buffer), this.entry.offset + start * 4);
    return values;
  }

  /** Closes the file, after which reads throw. Safe to call twice. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    await this.handle.close();
  }

  private checkSection(): void {
    const { offset, byteLength } = this.entry;
    const chunk = Buffer.allocUnsafe(Math.min(CHECK_CHUNK_BYTES, byteLength));
    const read = this.readAt.bind(this);
    function* chunks(): Generator<Uint8Array> {
      for (let done = 0; done < byteLength; done += chunk.length) {
        const part = chunk.subarray(0, Math.min(chunk.length, byteLength - done));
        read(part, offset + done);
        yield part;
      }
    }
    if (this.checksum(chunks()) !== this.entry.checksum) this.failChecksum();
    this.isChecked = true;
  }

  /** Fills `target` from byte `position`, synchronously, so that the values can back a plain property. */
  private readAt(target: Uint8Array, position: number): void {
    const where = `section ${this.entry.name}`;
    if (this.isClosed) failModelFile(this.path, where, 'read after the file was closed', 'read the values before dispose() or close()');
    this.checkUnchanged(where);
    let filled = 0;
    while (filled < target.length) {
      let bytesRead: number;
      try {
        bytesRead = readSync(this.handle.fd, target, filled, target.length - filled, position + filled);
      } catch (error) {
        failModelFile(this.path, where, `reading failed: ${(error as Error).message}`, 'load the model again');
      }
      if (bytesRead === 0) failModelFile(this.path, where, `ends before byte ${position + target.length} (truncated)`);
      filled += bytesRead;
    }
  }

  /** Throws when the open file was written in place since load (a copy over it, not a rename). */
  private checkUnchanged(where: string): void {
    let now: Stats;
    try {
      now = fstatSync(this.handle.fd);
    } catch (error) {
      failModelFile(this.path, where, `reading failed: ${(error as Error).message}`, 'load the model again');
    }
    // The change time also catches writes that restore the modification time (cp -p, touch -r). It
    // is compared only while the file still has a name: unlinking it, as a rename over its path does,
    // sets the change time too, and an unlinked file can no longer be opened for writing.
    const isSame = now.size === this.loaded.size && now.mtimeMs === this.loaded.mtimeMs && (now.nlink === 0 || now.ctimeMs === this.loaded.ctimeMs);
    if (isSame) return;
    failModelFile(this.path, where, `the file was changed in place after the model was loaded (size ${this.loaded.size} -> ${now.size} bytes)`, 'load the model again; to replace a served model file, write a new file and rename it over the old one');
  }

  private failChecksum(): never {
    failModelFile(this.path, `section ${this.entry.name}`, 'checksum mismatch (xxh64)');
  }
}
