// Lazily built, cached scoring resources of a fitted model: scorers and the item Gram matrix.
// They depend only on the factors, so a new fit replaces the whole cache.

import type { Backend, Scorer } from '../backends/backend.js';
import { computeGram, instantiateKernels, loadKernelModule, type WasmKernelExports } from '../backends/cpu/kernels/index.js';
import type { CosineScorer } from '../recommend/model-state.js';
import { unitRows } from '../recommend/similar.js';

/** Scorers and Gram matrix for one set of fitted factors. */
export class ScoringCache {
  private item: Promise<Scorer> | undefined;
  private cosineItem: Promise<CosineScorer> | undefined;
  private cosineUser: Promise<CosineScorer> | undefined;
  private gram: Float64Array | undefined;

  constructor(
    private readonly backend: Backend,
    private readonly userFactors: Float32Array,
    private readonly itemFactors: Float32Array,
    private readonly factors: number,
  ) {}

  itemScorer(): Promise<Scorer> {
    this.item ??= this.backend.createScorer(this.itemFactors, this.factors);
    return this.item;
  }

  cosineItemScorer(): Promise<CosineScorer> {
    this.cosineItem ??= this.createCosineScorer(this.itemFactors);
    return this.cosineItem;
  }

  cosineUserScorer(): Promise<CosineScorer> {
    this.cosineUser ??= this.createCosineScorer(this.userFactors);
    return this.cosineUser;
  }

  /**
   * Y^T Y of the item factors. Unless prepareItemGram() ran first, the first call computes it on the
   * calling thread with the float64 TypeScript kernel (nItems x factors^2 / 2 multiply-adds).
   */
  itemGram(): Float64Array {
    if (this.gram === undefined) {
      this.gram = new Float64Array(this.factors * this.factors);
      computeGram(this.itemFactors, this.factors, this.itemFactors.length / this.factors, this.gram);
    }
    return this.gram;
  }

  /**
   * Computes Y^T Y now, so the first fold-in or explain does not wait for it. It uses the WebAssembly
   * SIMD Gram kernel when it loads, about 20 times as fast as the TypeScript kernel. That kernel sums
   * blocks of 64 rows in float32 before adding them in float64, so entries differ from itemGram()'s
   * by a few float32 roundings of 64 terms. The rows go through in chunks, with the event loop free
   * between them, so a server keeps serving requests while it prepares a reloaded model.
   */
  async prepareItemGram(): Promise<void> {
    if (this.gram !== undefined) return;
    const loaded = await loadKernelModule();
    if (loaded.module === undefined || this.gram !== undefined) {
      this.itemGram();
      return;
    }
    const gram = await wasmItemGram(loaded.module, this.itemFactors, this.factors);
    this.gram ??= gram;
  }

  private async createCosineScorer(factorMatrix: Float32Array): Promise<CosineScorer> {
    const unitFactors = unitRows(factorMatrix, this.factors);
    return { scorer: await this.backend.createScorer(unitFactors, this.factors), unitFactors };
  }

  /** Releases every scorer created so far. */
  async dispose(): Promise<void> {
    const pending = [this.item, this.cosineItem?.then((cosine) => cosine.scorer), this.cosineUser?.then((cosine) => cosine.scorer)];
    this.item = this.cosineItem = this.cosineUser = undefined;
    // A scorer whose creation failed has nothing to release.
    const scorers = await Promise.allSettled(pending.filter((scorer) => scorer !== undefined));
    await Promise.all(scorers.map((settled) => (settled.status === 'fulfilled' ? settled.value.dispose() : undefined)));
  }
}

/** Rows per chunk of wasmItemGram: 2 MiB of float32 at 64 factors, about 2 ms of kernel time. */
const GRAM_CHUNK_ROWS = 8192;

/**
 * Returns Y^T Y (factors x factors, float64) from the WebAssembly gramBand kernel. The kernel works
 * on a memory of its own, so each chunk of rows is copied in, and the chunks' float64 sums are added
 * here. The thread yields to the event loop between chunks.
 */
async function wasmItemGram(module: WebAssembly.Module, itemFactors: Float32Array, factors: number): Promise<Float64Array> {
  const nItems = itemFactors.length / factors;
  const chunkBytes = GRAM_CHUNK_ROWS * factors * 4;
  const gramBytes = factors * factors * 8;
  // Offset 0 stays unused, as in the backend's arena; every part starts on a 64-byte boundary.
  const chunkOffset = 64;
  const gramOffset = chunkOffset + Math.ceil(chunkBytes / 64) * 64;
  const scratchOffset = gramOffset + Math.ceil(gramBytes / 64) * 64;
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 65_536, shared: true });
  const kernels: WasmKernelExports = instantiateKernels(module, memory);
  const neededBytes = scratchOffset + kernels.gramScratchBytes(factors);
  memory.grow(Math.ceil(neededBytes / 65_536) - 1);

  const chunk = new Float32Array(memory.buffer, chunkOffset, GRAM_CHUNK_ROWS * factors);
  const chunkGram = new Float64Array(memory.buffer, gramOffset, factors * factors);
  const gram = new Float64Array(factors * factors);
  for (let rowStart = 0; rowStart < nItems; rowStart += GRAM_CHUNK_ROWS) {
    const rows = Math.min(GRAM_CHUNK_ROWS, nItems - rowStart);
    chunk.set(itemFactors.subarray(rowStart * factors, (rowStart + rows) * factors));
    kernels.gramBand(chunkOffset, factors, rows, 0, factors, gramOffset, scratchOffset);
    // gramBand writes only the upper triangle (b >= a); the lower one is mirrored at the end.
    for (let a = 0; a < factors; a++) {
      for (let b = a; b < factors; b++) gram[a * factors + b] += chunkGram[a * factors + b];
    }
    if (rowStart + rows < nItems) await new Promise((resolve) => setImmediate(resolve));
  }
  for (let a = 0; a < factors; a++) {
    for (let b = a + 1; b < factors; b++) gram[b * factors + a] = gram[a * factors + b];
  }
  return gram;
}
