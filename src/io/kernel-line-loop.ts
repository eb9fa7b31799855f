// Reads a delimited file with the WebAssembly fast path (src/io/loader-kernel.ts). Chunks are copied
// into the module's memory, and the module takes every line it can finish alone. Each line it stops
// at goes to the DelimitedParser, so messages, stats and line numbers are those of the TypeScript path.

import { invariant } from '../errors.js';
import type { DelimitedParser } from './delimited-parser.js';
import type { DelimitedLayout } from './formats.js';
import { lineTooLong, MAX_LINE_BYTES, readChunksAhead, withoutCarriageReturn } from './line-reader.js';
import type { LoaderKernelExports } from './loader-kernel.js';
import { KernelKeyInterner } from './kernel-key-interner.js';
import type { ParseTarget } from './parse-target.js';

/** Initial size of the buffer that lines for the parser are copied into. It grows for longer lines. */
const LINE_COPY_BYTES = 4096;
/** The kernel's `pending` kind for a valid line that brings a new user or item id. */
const PENDING_NEW_IDS = 1;
/** Fields of the kernel's `pending` record, in the order wasm/loader/index.ts writes them. */
const PENDING_FIELDS = 10;

/**
 * Reads `path` as forEachLine does (same chunking, byte order mark and CRLF handling, same line
 * numbers and line length limit), feeding `parser` only the lines the kernel leaves.
 * Returns the number of lines.
 */
export async function forEachLineWithKernel(
  path: string,
  parser: DelimitedParser,
  target: ParseTarget,
  kernel: LoaderKernelExports,
  layout: DelimitedLayout,
  chunkBytes: number,
): Promise<number> {
  const loop = new KernelLoop(parser, target, kernel, layout);
  let capacity = chunkBytes * 2;
  let base = kernel.reserveInput(capacity);
  // Bytes [base, base + carried) of the module's memory start a line that continues in the next chunk.
  let carried = 0;
  let isBomChecked = false;

  for await (const chunk of readChunksAhead(path, chunkBytes)) {
    const bytesRead = chunk.length;
    if (carried > MAX_LINE_BYTES) throw lineTooLong(path, loop.lineNumber + 1);
    if (carried + bytesRead > capacity) {
      capacity = Math.max(carried + bytesRead, capacity * 2);
      base = kernel.reserveInput(capacity);
    }
    new Uint8Array(kernel.memory.buffer).set(chunk, base + carried);
    const filled = carried + bytesRead;
    let start = 0;
    if (!isBomChecked) {
      if (filled < 3 && bytesRead > 0) {
        carried = filled;
        continue;
      }
      isBomChecked = true;
      const head = new Uint8Array(kernel.memory.buffer, base, Math.min(filled, 3));
      if (filled >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) start = 3;
    }

    const next = loop.visitLines(base + start, base + filled);
    if (bytesRead === 0) {
      loop.visitLastLine(next, base + filled);
      break;
    }
    carried = base + filled - next;
    if (carried > 0 && next > base) new Uint8Array(kernel.memory.buffer).copyWithin(base, next, base + filled);
  }
  return loop.lineNumber;
}

/** The per-file state: line count, views of the module's memory, and the hand-over between kernel and parser. */
class KernelLoop {
  lineNumber = 0;
  private isConfigured = false;
  private bytes: Buffer;
  private lineCopy = Buffer.allocUnsafe(LINE_COPY_BYTES);
  private outputUsers!: Uint32Array;
  private outputItems!: Uint32Array;
  private outputValues!: Float32Array;
  private pendingFields!: Int32Array;
  private pendingValues!: Float32Array;
  private readonly outputCapacity: number;
  private readonly users: KernelKeyInterner;
  private readonly items: KernelKeyInterner;

  constructor(
    private readonly parser: DelimitedParser,
    private readonly target: ParseTarget,
    private readonly kernel: LoaderKernelExports,
    private readonly layout: DelimitedLayout,
  ) {
    const { users, items } = target;
    invariant(users instanceof KernelKeyInterner && items instanceof KernelKeyInterner, 'the fast path needs the id space to keep its keys in the kernel');
    this.users = users;
    this.items = items;
    this.outputCapacity = kernel.outputCapacity();
    this.bytes = this.refreshViews();
  }

  /** Visits the complete lines of [position, end) and returns the start of the unfinished last line. */
  visitLines(position: number, end: number): number {
    const { kernel } = this;
    for (;;) {
      if (this.isConfigured) {
        position = kernel.scan(position, end) >>> 0;
        this.lineNumber += kernel.scannedLineCount();
        const isFull = kernel.outputLength() === this.outputCapacity;
        this.flush();
        if (isFull) continue;
        this.currentBytes();
        if (this.pendingFields[0] === PENDING_NEW_IDS) {
          position = this.acceptNewIds();
          continue;
        }
      }
      // Buffer.indexOf would search on through the whole memory past `end`.
      const newline = kernel.findNewline(position, end);
      if (newline < 0) return position;
      this.visitParsed(position, withoutCarriageReturn(this.currentBytes(), position, newline));
      position = newline + 1;
    }
  }

  /** Visits a final line without a newline, as forEachLine does. */
  visitLastLine(position: number, end: number): void {
    if (position < end) this.visitParsed(position, withoutCarriageReturn(this.currentBytes(), position, end));
  }

  /**
   * Parses one line in TypeScript; its new ids go into the kernel's tables through KernelKeyInterner.
   * The parser gets a copy of the line, because adding an id can grow the kernel's memory and so
   * detach any view of it.
   */
  private visitParsed(start: number, end: number): void {
    const { parser } = this;
    const length = end - start;
    if (this.lineCopy.length < length) this.lineCopy = Buffer.allocUnsafe(Math.max(length, this.lineCopy.length * 2));
    this.currentBytes().copy(this.lineCopy, 0, start, end);
    parser.visitLine(this.lineCopy, 0, length, ++this.lineNumber);
    if (!this.isConfigured && parser.isLayoutSettled) this.configure();
  }

  /**
   * Adds the kernel's pending line, which passed every check of DelimitedParser.acceptFields but
   * brings a new id: the same interning, name and triplet steps in the same order, without parsing
   * the line again. Returns the next line's start.
   */
  private acceptNewIds(): number {
    const { pendingFields: fields, target, items } = this;
    // Read every field first, because adding an id can grow the memory and detach these views.
    const next = fields[1] >>> 0;
    const knownUser = fields[2];
    const [userKey, userLength, itemKey, itemLength] = [fields[3] >>> 0, fields[4], fields[5] >>> 0, fields[6]];
    const value = this.pendingValues[7];
    const [nameKey, nameLength] = [fields[8] >>> 0, fields[9]];
    this.lineNumber++;

    const userIndex = knownUser >= 0 ? knownUser : this.users.internAt(userKey, userLength);
    const itemIndex = items.internAt(itemKey, itemLength);
    const names = target.itemNames;
    if (names !== undefined && items.missedCache && names[itemIndex] === undefined) {
      names[itemIndex] = nameLength > 0 ? items.decode(nameKey, nameLength) : items.ids.idAt(itemIndex);
    }
    target.builder.addIndices(userIndex, itemIndex, value);
    target.stats.rows++;
    return next;
  }

  private configure(): void {
    const { layout, target } = this;
    const valueColumn = layout.valueColumn === undefined || target.binary ? -1 : layout.valueColumn;
    const nameColumn = target.itemNames === undefined ? -1 : (layout.nameColumn ?? -1);
    this.kernel.configure(layout.delimiter[0], this.parser.expectedColumnCount, layout.userColumn, layout.itemColumn, layout.itemFallbackColumn ?? -1, valueColumn, nameColumn);
    this.isConfigured = true;
  }

  /** Moves the kernel's triplets into the builder; the parser's next triplet must come after them. */
  private flush(): void {
    const count = this.kernel.outputLength();
    if (count === 0) return;
    if (this.bytes.buffer !== this.kernel.memory.buffer) this.refreshViews();
    this.target.builder.addBatch(this.outputUsers, this.outputItems, this.outputValues, count);
    this.target.stats.rows += count;
    this.kernel.clearOutput();
  }

  /** Returns a view of the whole module memory, remade when the module has grown it (which detaches the old one). */
  private currentBytes(): Buffer {
    return this.bytes.buffer === this.kernel.memory.buffer ? this.bytes : this.refreshViews();
  }

  private refreshViews(): Buffer {
    const { kernel, outputCapacity } = this;
    const buffer = kernel.memory.buffer;
    this.bytes = Buffer.from(buffer);
    this.outputUsers = new Uint32Array(buffer, kernel.outputUsersAt(), outputCapacity);
    this.outputItems = new Uint32Array(buffer, kernel.outputItemsAt(), outputCapacity);
    this.outputValues = new Float32Array(buffer, kernel.outputValuesAt(), outputCapacity);
    this.pendingFields = new Int32Array(buffer, kernel.pendingAt(), PENDING_FIELDS);
    this.pendingValues = new Float32Array(buffer, kernel.pendingAt(), PENDING_FIELDS);
    return this.bytes;
  }
}
