// Reads and writes single arrays in NumPy's .npy format (versions 1.0 to 3.0): a magic string, a
// Python dict literal header with descr, fortran_order and shape, then the raw little-endian data.

/** The element types this reader understands; other descr values are reported as unsupported. */
export type NpyData = Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array | BigInt64Array | string[];

export interface NpyArray {
  /** NumPy type string, for example '<f4', '<i8', '|b1' or '<U7'. */
  descr: string;
  shape: number[];
  /** Elements in C (row-major) order; Fortran-ordered input is transposed on read. */
  data: NpyData;
}

const MAGIC = Buffer.from('\x93NUMPY', 'latin1');
/** NumPy pads the header so that the data starts on a multiple of 64 bytes. */
const DATA_ALIGNMENT = 64;

/** Returns the number of elements of `shape` (1 for a 0-d array). */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

/** Parses the header dict literal, or returns a description of what is wrong with it. */
function parseHeader(text: string): { descr: string; fortranOrder: boolean; shape: number[] } | string {
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) return `the header ${JSON.stringify(text.trim())} lacks descr, fortran_order or shape`;
  const shape = shapeText
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map(Number);
  if (shape.some((size) => !Number.isSafeInteger(size) || size < 0)) return `the shape (${shapeText}) is not a tuple of non-negative integers`;
  return { descr, fortranOrder: fortran === 'True', shape };
}

/** Copies `count` elements of `size` bytes into a fresh (aligned) buffer. */
function copyBytes(bytes: Uint8Array, offset: number, count: number, size: number): ArrayBuffer {
  // Copies through the Uint8Array constructor: Buffer.prototype.slice would return a view of a shared pool.
  return new Uint8Array(bytes.subarray(offset, offset + count * size)).buffer;
}

/** Decodes fixed-width UTF-32LE strings ('<Uk'), dropping the trailing NUL padding of each. */
function decodeUnicode(bytes: Uint8Array, offset: number, count: number, width: number): string[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * width * 4);
  const out = new Array<string>(count);
  for (let k = 0; k < count; k++) {
    const codePoints: number[] = [];
    for (let c = 0; c < width; c++) {
      const codePoint = view.getUint32((k * width + c) * 4, true);
      if (codePoint === 0) break;
      codePoints.push(codePoint);
    }
    out[k] = String.fromCodePoint(...codePoints);
  }
  return out;
}

/** Decodes the data of one array, or returns why it cannot. */
function decodeData(bytes: Uint8Array, offset: number, descr: string, count: number): NpyData | string {
  const unicode = /^[<|]U(\d+)$/.exec(descr);
  const available = bytes.length - offset;
  const need = (size: number) => (available < count * size ? `the data has ${available} bytes, fewer than ${count} elements of ${size} bytes` : undefined);
  if (unicode !== null) return need(Number(unicode[1]) * 4) ?? decodeUnicode(bytes, offset, count, Number(unicode[1]));
  switch (descr) {
    case '<f4':
      return need(4) ?? new Float32Array(copyBytes(bytes, offset, count, 4));
    case '<f8':
      return need(8) ?? new Float64Array(copyBytes(bytes, offset, count, 8));
    case '<i4':
      return need(4) ?? new Int32Array(copyBytes(bytes, offset, count, 4));
    case '<u4':
      return need(4) ?? new Uint32Array(copyBytes(bytes, offset, count, 4));
    case '<i8':
      return need(8) ?? new BigInt64Array(copyBytes(bytes, offset, count, 8));
    case '|b1':
    case '|u1':
      return need(1) ?? new Uint8Array(copyBytes(bytes, offset, count, 1));
    default:
      return `dtype ${descr} is not supported (expected little-endian <f4, <f8, <i4, <u4, <i8, |b1, |u1 or <U)`;
  }
}

/** Reorders a 2-d Fortran-ordered (column-major) array into row-major order. */
function transposeFortran<T extends NpyData>(data: T, shape: number[]): T {
  if (shape.length < 2) return data;
  const [rows, cols] = shape;
  const source = data as unknown as ArrayLike<unknown> & { slice(): T };
  const out = source.slice() as unknown as Record<number, unknown>;
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = source[c * rows + r];
  return out as unknown as T;
}

/** Parses one .npy file; returns the array, or a description of why it cannot be read. */
export function parseNpy(bytes: Uint8Array): NpyArray | string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < 10 || !buffer.subarray(0, 6).equals(MAGIC)) return 'not a .npy array (no \\x93NUMPY magic)';
  const major = buffer[6];
  if (major < 1 || major > 3) return `.npy format version ${major}.${buffer[7]} is not supported (expected 1.0 to 3.0)`;
  const lengthBytes = major === 1 ? 2 : 4;
  const headerLength = major === 1 ? buffer.readUInt16LE(8) : buffer.readUInt32LE(8);
  const headerStart = 8 + lengthBytes;
  const header = parseHeader(buffer.toString(major === 3 ? 'utf8' : 'latin1', headerStart, headerStart + headerLength));
  if (typeof header === 'string') return header;
  if (header.fortranOrder && header.shape.length > 2) return `Fortran-ordered arrays of ${header.shape.length} dimensions are not supported`;

  const data = decodeData(bytes, headerStart + headerLength, header.descr, elementCount(header.shape));
  if (typeof data === 'string') return data;
  return { descr: header.descr, shape: header.shape, data: header.fortranOrder ? transposeFortran(data, header.shape) : data };
}

/** Returns the bytes of `data` as NumPy stores them for `descr`. */
function encodeData(descr: string, data: NpyData): Uint8Array {
  if (Array.isArray(data)) {
    const width = Number(/^<U(\d+)$/.exec(descr)?.[1] ?? 0);
    const out = new DataView(new ArrayBuffer(data.length * width * 4));
    data.forEach((text, k) => {
      let c = 0;
      for (const character of text) out.setUint32((k * width + c++) * 4, character.codePointAt(0) as number, true);
    });
    return new Uint8Array(out.buffer);
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Encodes one array as a version 1.0 .npy file, C order, header padded to 64 bytes as NumPy does. */
export function encodeNpy(array: NpyArray): Buffer {
  const shapeText = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  const dict = `{'descr': '${array.descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + dict.length + 1;
  const padding = (DATA_ALIGNMENT - (unpadded % DATA_ALIGNMENT)) % DATA_ALIGNMENT;
  const headerText = `${dict}${' '.repeat(padding)}\n`;
  const preamble = Buffer.alloc(10);
  MAGIC.copy(preamble, 0);
  preamble[6] = 1;
  preamble[7] = 0;
  preamble.writeUInt16LE(headerText.length, 8);
  return Buffer.concat([preamble, Buffer.from(headerText, 'latin1'), encodeData(array.descr, array.data)]);
}

/** Returns the '<Uk' descr wide enough for every string of `values` (at least 1). */
export function unicodeDescr(values: readonly string[]): string {
  let width = 1;
  for (const value of values) {
    let length = 0;
    for (const _ of value) length++;
    width = Math.max(width, length);
  }
  return `<U${width}`;
}
