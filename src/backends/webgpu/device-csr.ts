// A CSR matrix uploaded to the device: indptr, indices and data buffers, each with one spare element
// so that any row range can be bound (see chunking.ts). The host keeps indptr for chunk planning.

import type { CsrMatrix } from '../../csr/csr-matrix.js';
import { uploadArray } from './buffers.js';

export class DeviceCsr {
  readonly indptr: Uint32Array;
  readonly nRows: number;
  readonly nCols: number;
  readonly indptrBuffer: GPUBuffer;
  readonly indicesBuffer: GPUBuffer;
  readonly dataBuffer: GPUBuffer;

  /** Uploads `matrix`; `label` prefixes the buffer labels, for example "userItems". */
  constructor(device: GPUDevice, label: string, matrix: CsrMatrix) {
    this.indptr = matrix.indptr;
    this.nRows = matrix.nRows;
    this.nCols = matrix.nCols;
    this.indptrBuffer = uploadArray(device, `${label}.indptrBuffer`, matrix.indptr);
    this.indicesBuffer = uploadArray(device, `${label}.indicesBuffer`, matrix.indices);
    this.dataBuffer = uploadArray(device, `${label}.dataBuffer`, matrix.data);
  }

  destroy(): void {
    this.indptrBuffer.destroy();
    this.indicesBuffer.destroy();
    this.dataBuffer.destroy();
  }
}
