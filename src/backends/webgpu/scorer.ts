// Scorer on WebGPU: item factors resident on the device, top-N selected by score-topn.wgsl.

import { InputError } from '../../errors.js';
import { warnOnce } from '../../log.js';
import type { Scorer, TopNRequest, TopNResult } from '../backend.js';
import type { GpuContext } from './device.js';
import { FactorPages } from './factor-pages.js';
import { hostTopN } from './host-topn.js';
import { maxTopN, topNConfig } from './kernel-config.js';
import type { PipelineCache } from './pipelines.js';
import { normalizeTopNRequest } from './topn-request.js';
import { runTopN } from './topn-pass.js';
import { validateFactorCapacity } from './validate.js';

export class WebGpuScorer implements Scorer {
  readonly nItems: number;
  readonly factors: number;
  private readonly context: GpuContext;
  private readonly pipelines: PipelineCache;
  private readonly itemFactors: FactorPages;
  private isDisposed = false;

  private constructor(context: GpuContext, pipelines: PipelineCache, itemFactors: FactorPages) {
    this.context = context;
    this.pipelines = pipelines;
    this.itemFactors = itemFactors;
    this.nItems = itemFactors.rows;
    this.factors = itemFactors.factors;
  }

  /** Uploads a copy of `itemFactors` (nItems x factors, row-major). */
  static async create(context: GpuContext, pipelines: PipelineCache, itemFactors: Float32Array, factors: number): Promise<WebGpuScorer> {
    if (!Number.isInteger(factors) || factors < 1 || itemFactors.length % factors !== 0) {
      throw new InputError('invalid_option', `itemFactors has ${itemFactors.length} values, not a whole number of rows of ${factors} factors`, {
        where: 'itemFactors',
        expected: `a multiple of ${factors}`,
        received: String(itemFactors.length),
      });
    }
    const nItems = itemFactors.length / factors;
    validateFactorCapacity('itemFactors', nItems, factors, context.limits);
    const pages = await context.scoped('createScorer upload', () => FactorPages.create(context.device, 'scorerItemFactors', itemFactors, nItems, factors, context.limits));
    return new WebGpuScorer(context, pipelines, pages);
  }

  /**
   * Selects on the GPU when n <= maxTopN for this device (see docs/webgpu.md); larger n reads the item
   * factors back and selects on the host, with one 'limits-reduced' warning.
   */
  async topN(request: TopNRequest): Promise<TopNResult> {
    this.assertOpen();
    const normalized = normalizeTopNRequest(request, this.nItems, this.factors);
    const { nQueries, n } = normalized;
    if (nQueries === 0 || n === 0) return { n, ids: new Int32Array(nQueries * n).fill(-1), scores: new Float32Array(nQueries * n).fill(-Infinity) };

    const config = topNConfig(this.factors, n, this.context.limits);
    if (config === undefined) {
      warnOnce(this.context.logger, 'limits-reduced', `top-N with n = ${n} exceeds the GPU selection limit of ${maxTopN(this.factors, this.context.limits)} on this device; selecting on the host, which is slower`);
      const itemFactors = await this.context.scoped('topN readback', () => this.itemFactors.read('scorerItemFactors'));
      return hostTopN(normalized, itemFactors, this.nItems, this.factors);
    }

    const started = performance.now();
    const result = await this.context.scoped('pipeline scoreTopN', () => runTopN(this.context, this.pipelines, this.itemFactors, normalized, config));
    this.context.logger.debug('webgpu topN', { ms: performance.now() - started, queries: nQueries, n });
    return result;
  }

  async dispose(): Promise<void> {
    if (this.isDisposed) return;
    this.isDisposed = true;
    this.itemFactors.destroy();
  }

  private assertOpen(): void {
    if (this.isDisposed) throw new InputError('scorer_disposed', 'topN called on a disposed scorer; create a new one with backend.createScorer', { where: 'topN' });
    this.context.assertAlive('topN');
  }
}
