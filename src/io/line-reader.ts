// Streams a file's lines as byte ranges of a reused buffer: large reads, a native newline search, no
// string or array per line. Strips a UTF-8 byte order mark and the CR of CRLF endings.

import { open } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { describeOpenFailure } from './file-errors.js';

/** Bytes per read. At 1 MiB the fixed cost of each async read is small next to parsing the chunk. */
export const DEFAULT_CHUNK_BYTES = 1 << 20;
/** Maximum line length in bytes. A longer line almost always means a binary or wrongly chosen file. */
export const MAX_LINE_BYTES = 64 << 20;

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Receives each line. `bytes[start..end)` is the line without its line ending; the buffer is reused
 * after the call returns, so copy anything that must outlive it. `lineNumber` starts at 1.
 */
export interface LineVisitor {
  visitLine(bytes: Buffer, start: number, end: number, lineNumber: number): void;
}

/**
 * Reads `path` and calls `visitor.visitLine` for every line, in order. A final line without a
 * newline is visited too; an empty remainder after the last newline is not a line.
 * Errors thrown by the visitor propagate after the file is closed. Returns the number of lines.
 */
export async function forEachLine(path: string, visitor: LineVisitor, chunkBytes = DEFAULT_CHUNK_BYTES): Promise<number> {
  // Bytes [0, carried) of `lines` are the start of a line that continues in the next chunk.
  let lines: Buffer = Buffer.allocUnsafe(chunkBytes * 2);
  let carried = 0;
  let lineNumber = 0;
  let isBomChecked = false;

  for await (const chunk of readChunksAhead(path, chunkBytes)) {
    const bytesRead = chunk.length;
    if (carried > MAX_LINE_BYTES) throw lineTooLong(path, lineNumber + 1);
    if (carried + bytesRead > lines.length) lines = grow(lines, carried + bytesRead);
    chunk.copy(lines, carried);
    const filled = carried + bytesRead;
    const view = lines.subarray(0, filled);
    let start = 0;
    if (!isBomChecked) {
      // Nothing is parsed until the first three bytes are in, so the check inspects the start of the file.
      if (filled < 3 && bytesRead > 0) {
        carried = filled;
        continue;
      }
      isBomChecked = true;
      if (filled >= 3 && view[0] === 0xef && view[1] === 0xbb && view[2] === 0xbf) start = 3;
    }

    let newline = view.indexOf(NEWLINE, start);
    while (newline !== -1) {
      visitor.visitLine(view, start, withoutCarriageReturn(view, start, newline), ++lineNumber);
      start = newline + 1;
      newline = view.indexOf(NEWLINE, start);
    }

    if (bytesRead === 0) {
      if (start < filled) visitor.visitLine(view, start, withoutCarriageReturn(view, start, filled), ++lineNumber);
      break;
    }

    carried = filled - start;
    if (carried > 0 && start > 0) lines.copy(lines, 0, start, filled);
  }
  return lineNumber;
}

/**
 * Yields the chunks of `path` in order, ending with an empty chunk at the end of the file. Two read
 * buffers alternate: the next read fills one while the caller works on the other, so parsing does
 * not wait for the disk or the page cache. A yielded chunk is valid until the next one is requested.
 * The file is closed when the caller stops, after any read still in flight has finished.
 */
export async function* readChunksAhead(path: string, chunkBytes: number): AsyncGenerator<Buffer, void, undefined> {
  const handle = await openForReading(path);
  const readBuffers = [Buffer.allocUnsafe(chunkBytes), Buffer.allocUnsafe(chunkBytes)];
  const readInto = async (buffer: Buffer) => (await handle.read(buffer, 0, buffer.length, null)).bytesRead;
  let pending = readInto(readBuffers[0]);
  let readIndex = 0;
  try {
    for (;;) {
      const bytesRead = await pending;
      const chunk = readBuffers[readIndex];
      readIndex ^= 1;
      if (bytesRead > 0) pending = readInto(readBuffers[readIndex]);
      yield chunk.subarray(0, bytesRead);
      if (bytesRead === 0) return;
    }
  } finally {
    await pending.catch(() => undefined);
    await handle.close();
  }
}

/** Returns `end`, moved before a CR that ends the line. */
export function withoutCarriageReturn(bytes: Uint8Array, start: number, end: number): number {
  return end > start && bytes[end - 1] === CARRIAGE_RETURN ? end - 1 : end;
}

/** Returns the error for a line longer than MAX_LINE_BYTES that starts at line `lineNumber`. */
export function lineTooLong(path: string, lineNumber: number): InputError {
  return new InputError('invalid_file', `${path}:${lineNumber}: line is longer than ${MAX_LINE_BYTES} bytes; expected a text file of short lines`, {
    where: `${path}:${lineNumber}`,
    expected: `lines shorter than ${MAX_LINE_BYTES} bytes`,
  });
}

function grow(buffer: Buffer, needed: number): Buffer {
  const grown = Buffer.allocUnsafe(Math.max(needed, buffer.length * 2));
  buffer.copy(grown, 0, 0, buffer.length);
  return grown;
}

/** Opens `path` for reading; throws InputError `invalid_file` when it is missing, a directory or unreadable. */
export async function openForReading(path: string) {
  try {
    const handle = await open(path, 'r');
    if ((await handle.stat()).isDirectory()) {
      await handle.close();
      throw Object.assign(new Error(`${path} is a directory`), { code: 'EISDIR' });
    }
    return handle;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError('invalid_file', `${path}: file ${describeOpenFailure(error)}; expected a readable data file`, { where: path, received: code }, { cause: error });
  }
}
