// Packing of the kernels' params structs and the uniform buffer that contains one params slot per
// dispatch. Every struct in shaders/*.wgsl is a flat list of 4-byte u32/f32 fields, so field k sits
// at byte 4k. The struct size is rounded up to 16 bytes (the uniform alignment of a struct), and the
// WGSL side spells that padding out as paddingN fields.

import { invariant } from '../../errors.js';
import { bufferUsage } from './gpu-globals.js';

/** A params field: its WGSL type and value. Order must match the WGSL struct. */
export type UniformField = readonly ['u32' | 'f32', number];

/** Packs fields in declaration order, 4 bytes each, zero-padded to a multiple of 16 bytes. */
export function packUniform(fields: readonly UniformField[]): ArrayBuffer {
  const byteLength = Math.ceil((fields.length * 4) / 16) * 16;
  const buffer = new ArrayBuffer(byteLength);
  const view = new DataView(buffer);
  fields.forEach(([type, value], index) => {
    if (type === 'u32') {
      invariant(Number.isInteger(value) && value >= 0 && value <= 0xffffffff, () => `uniform field ${index} is ${value}, not a u32`);
      view.setUint32(index * 4, value, true);
    } else {
      view.setFloat32(index * 4, value, true);
    }
  });
  return buffer;
}

/**
 * A uniform buffer with `slotCount` params slots, each at a multiple of
 * minUniformBufferOffsetAlignment, so every dispatch binds its own slot.
 */
export class UniformSlots {
  readonly buffer: GPUBuffer;
  readonly stride: number;
  readonly slotBytes: number;
  private readonly staging: Uint8Array;

  constructor(device: GPUDevice, label: string, slotCount: number, slotBytes: number, alignment: number) {
    this.slotBytes = slotBytes;
    this.stride = Math.ceil(slotBytes / alignment) * alignment;
    const byteLength = Math.max(1, slotCount) * this.stride;
    this.buffer = device.createBuffer({ label, size: byteLength, usage: bufferUsage.UNIFORM | bufferUsage.COPY_DST });
    this.staging = new Uint8Array(byteLength);
  }

  /** Returns the binding resource of slot `index`. */
  binding(index: number): GPUBufferBinding {
    return { buffer: this.buffer, offset: index * this.stride, size: this.slotBytes };
  }

  /** Stores packed params in slot `index` of the host copy; upload() sends all slots at once. */
  set(index: number, packed: ArrayBuffer): void {
    invariant(packed.byteLength === this.slotBytes, () => `params of ${packed.byteLength} bytes for a ${this.slotBytes}-byte slot`);
    this.staging.set(new Uint8Array(packed), index * this.stride);
  }

  upload(queue: GPUQueue): void {
    queue.writeBuffer(this.buffer, 0, this.staging);
  }

  destroy(): void {
    this.buffer.destroy();
  }
}
