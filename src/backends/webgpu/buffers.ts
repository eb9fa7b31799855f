// Buffer creation, upload and readback. Every buffer gets a label equal to the TypeScript name that
// refers to it, so validation messages point at the code.

import { invariant } from '../../errors.js';
import { paddedByteLength } from './chunking.js';
import { bufferUsage, mapMode } from './gpu-globals.js';

/** Uploads go through writeBuffer in pieces of this size, so Dawn never stages one huge copy. */
const UPLOAD_PIECE_BYTES = 64 * 1024 * 1024;

export type StorageArray = Uint32Array | Float32Array | Int32Array;

/** Creates a storage buffer of at least `byteLength` bytes (rounded up to 4, minimum 4). */
export function createStorageBuffer(device: GPUDevice, label: string, byteLength: number, extraUsage = 0): GPUBuffer {
  const size = Math.max(4, Math.ceil(byteLength / 4) * 4);
  return device.createBuffer({ label, size, usage: bufferUsage.STORAGE | bufferUsage.COPY_DST | bufferUsage.COPY_SRC | extraUsage });
}

/** Writes `data` to `buffer` at byte `offset`, in pieces of at most 64 MiB. */
export function writeArray(queue: GPUQueue, buffer: GPUBuffer, offset: number, data: StorageArray): void {
  const elementsPerPiece = UPLOAD_PIECE_BYTES / data.BYTES_PER_ELEMENT;
  for (let start = 0; start < data.length; start += elementsPerPiece) {
    const piece = data.subarray(start, Math.min(data.length, start + elementsPerPiece));
    queue.writeBuffer(buffer, offset + start * data.BYTES_PER_ELEMENT, piece.buffer, piece.byteOffset, piece.byteLength);
  }
}

/** Creates a storage buffer holding `data` plus one spare element, ready to be bound in ranges. */
export function uploadArray(device: GPUDevice, label: string, data: StorageArray): GPUBuffer {
  const buffer = createStorageBuffer(device, label, paddedByteLength(data.length, data.BYTES_PER_ELEMENT));
  writeArray(device.queue, buffer, 0, data);
  return buffer;
}

/** A byte range of a device buffer to read back. */
export interface ReadRange {
  buffer: GPUBuffer;
  offset: number;
  size: number;
}

/**
 * Copies the ranges, in order, into one staging buffer, maps it and returns the bytes concatenated.
 * Sizes must be multiples of 4. The staging buffer is destroyed before returning.
 */
export async function readRanges(device: GPUDevice, label: string, ranges: readonly ReadRange[]): Promise<ArrayBuffer> {
  const total = ranges.reduce((sum, range) => sum + range.size, 0);
  if (total === 0) return new ArrayBuffer(0);

  const staging = device.createBuffer({ label, size: total, usage: bufferUsage.MAP_READ | bufferUsage.COPY_DST });
  try {
    const encoder = device.createCommandEncoder({ label: `${label}Encoder` });
    let position = 0;
    for (const range of ranges) {
      invariant(range.size % 4 === 0 && range.offset % 4 === 0, () => `readback range ${range.offset}+${range.size} is not 4-byte aligned`);
      if (range.size > 0) encoder.copyBufferToBuffer(range.buffer, range.offset, staging, position, range.size);
      position += range.size;
    }
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(mapMode.READ);
    const bytes = staging.getMappedRange().slice(0);
    staging.unmap();
    return bytes;
  } finally {
    staging.destroy();
  }
}
