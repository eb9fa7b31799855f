// Typed arrays over SharedArrayBuffer, which worker threads read and write without copies.

export type SharedTypedArray = Float32Array | Float64Array | Uint32Array | Int32Array;

type TypedArrayConstructor<T extends SharedTypedArray> = {
  new (buffer: SharedArrayBuffer, byteOffset?: number, length?: number): T;
  readonly BYTES_PER_ELEMENT: number;
};

/** Allocates a zero-filled typed array of `length` elements backed by a SharedArrayBuffer. */
export function allocateShared<T extends SharedTypedArray>(type: TypedArrayConstructor<T>, length: number): T {
  return new type(new SharedArrayBuffer(length * type.BYTES_PER_ELEMENT), 0, length);
}

/** Copies `source` into a new SharedArrayBuffer-backed array of the same type. */
export function copyToShared<T extends SharedTypedArray>(type: TypedArrayConstructor<T>, source: ArrayLike<number>): T {
  const shared = allocateShared(type, source.length);
  (shared as unknown as { set(values: ArrayLike<number>): void }).set(source);
  return shared;
}
