// Lazily built, cached scoring resources of a fitted model: scorers and the item Gram matrix.
// They depend only on the factors, so a new fit replaces the whole cache.

import type { Backend, Scorer } from '../backends/backend.js';
import { compiledKernelModule, computeGram, instantiateKernels, loadKernelModule, type WasmKernelExports } from '../backends/cpu/kernels/index.js';
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
   * Y^T Y of the item factors, computed at first use on the calling thread unless prepareItemGram()
   * ran first. It uses the WebAssembly kernel when this thread has compiled it (a CPU backend does at
   * start), about 60 ms for 292,000 items at 64 factors, and otherwise the float64 TypeScript kernel,
   * about 20 times as slow.
   */
  itemGram(): Float64Array {
    if (this.gram === undefined) {
      const module = compiledKernelModule();
      if (module === undefined) {
        this.gram = new Float64Array(this.factors * this.factors);
        computeGram(this.itemFactors, this.factors, this.itemFactors.length / this.factors, this.gram);
      } else {
        const chunks = wasmItemGramChunks(module, this.itemFactors, this.factors);
        let step = chunks.next();
        while (step.done !== true) step = chunks.next();
        this.gram = step.value;
      }
    }
    return this.gram;
  }

  /**
   * Computes Y^T Y now, so the first fold-in or explain does not wait for it. It uses the WebAssembly
   * SIMD Gram kernel when it loads. That kernel sums blocks of 64 rows in float32 before adding them
   * in float64, so entries differ from the TypeScript kernel's by a few float32 roundings of 64 terms.
   * The rows go through in chunks, with the event loop free between them, so a server keeps serving
   * requests while it prepares a reloaded model.
   */
  async prepareItemGram(): Promise<void> {
    if (this.gram !== undefined) return;
    const loaded = await loadKernelModule();
    if (loaded.module === undefined || this.gram !== undefined) {
      this.itemGram();
      return;
    }
    const chunks = wasmItemGramChunks(loaded.module, this.itemFactors, this.factors);
    let step = chunks.next();
    while (step.done !== true) {
      await new Promise((resolve) => setImmediate(resolve));
      step = chunks.next();
    }
    this.gram ??= step.value;
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

/** Rows per chunk of wasmItemGramChunks: 2 MiB of float32 at 64 factors, about 2 ms of kernel time. */
const GRAM_CHUNK_ROWS = 8192;

/**
 * Computes Y^T Y (factors x factors, float64) with the WebAssembly gramBand kernel, one chunk of rows
 * per step, and returns it after the last step. Callers may yield to the event loop between steps.
 * The kernel works on a memory of its own, so each chunk of rows is copied in, and the chunks'
 * float64 sums are added here.
 */
function* wasmItemGramChunks(module: WebAssembly.Module, itemFactors: Float32Array, factors: number): Generator<void, Float64Array> {
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
    if (rowStart + rows < nItems) yield;
  }
  for (let a = 0; a < factors; a++) {
    for (let b = a + 1; b < factors; b++) gram[b * factors + a] = gram[a * factors + b];
  }
  return gram;
}
