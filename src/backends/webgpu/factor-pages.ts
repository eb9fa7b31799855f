// A row-major rows x factors matrix resident on the device, split into pages (one buffer each) that
// are small enough to bind whole. Kernels that read a whole matrix bind its first two pages, so a
// matrix may have at most MAX_BOUND_PAGES pages.

import { invariant } from '../../errors.js';
import { readRanges, uploadArray, writeArray } from './buffers.js';
import { planPages, type PageLayout } from './chunking.js';
import type { KernelLimits } from './limits.js';

/**
 * Pages a kernel can read at once (bindings otherFactors0 and otherFactors1). Two keeps every kernel
 * within 8 storage buffers, the WebGPU default maxStorageBuffersPerShaderStage.
 */
export const MAX_BOUND_PAGES = 2;

export class FactorPages {
  readonly layout: PageLayout;
  readonly pages: GPUBuffer[];
  private readonly device: GPUDevice;

  private constructor(device: GPUDevice, layout: PageLayout, pages: GPUBuffer[]) {
    this.device = device;
    this.layout = layout;
    this.pages = pages;
  }

  /** Uploads `data` (rows x factors, row-major); the device copy is independent of the array. */
  static create(device: GPUDevice, label: string, data: Float32Array, rows: number, factors: number, limits: KernelLimits): FactorPages {
    invariant(data.length === rows * factors, () => `${label}: ${data.length} values for ${rows} x ${factors}`);
    const layout = planPages(rows, factors, limits);
    invariant(layout.pageRows.length <= MAX_BOUND_PAGES, () => `${label} has ${layout.pageRows.length} pages; validateDeviceCapacity admits at most ${MAX_BOUND_PAGES}`);
    const pages = layout.pageRows.map((pageRows, page) => {
      const start = page * layout.rowsPerPage * factors;
      return uploadArray(device, `${label}.pages[${page}]`, data.subarray(start, start + pageRows * factors));
    });
    return new FactorPages(device, layout, pages);
  }

  get rows(): number {
    return this.layout.rows;
  }

  get factors(): number {
    return this.layout.factors;
  }

  /** Returns the buffer bound as page `index` of a two-page binding. A one-page matrix binds page 0 twice. */
  boundPage(index: number): GPUBuffer {
    return this.pages[Math.min(index, this.pages.length - 1)];
  }

  /** Replaces the whole matrix. */
  write(data: Float32Array): void {
    invariant(data.length === this.rows * this.factors, () => `write of ${data.length} values into ${this.rows} x ${this.factors}`);
    this.layout.pageRows.forEach((pageRows, page) => {
      const start = page * this.layout.rowsPerPage * this.factors;
      writeArray(this.device.queue, this.pages[page], 0, data.subarray(start, start + pageRows * this.factors));
    });
  }

  /** Copies the matrix back to the host, one page at a time. */
  async read(label: string): Promise<Float32Array> {
    const out = new Float32Array(this.rows * this.factors);
    for (let page = 0; page < this.pages.length; page++) {
      const size = this.layout.pageRows[page] * this.factors * 4;
      const bytes = await readRanges(this.device, `${label}Readback`, [{ buffer: this.pages[page], offset: 0, size }]);
      out.set(new Float32Array(bytes), page * this.layout.rowsPerPage * this.factors);
    }
    return out;
  }

  destroy(): void {
    for (const page of this.pages) page.destroy();
  }
}
