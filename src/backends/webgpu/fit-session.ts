// FitSession on WebGPU: both CSR orientations and both factor matrices stay on the device for the
// whole fit. Between half-steps the host reads back only the 8-byte solve status.

import type { CsrMatrix } from '../../csr/csr-matrix.js';
import { InputError, NumericError } from '../../errors.js';
import { warnOnce } from '../../log.js';
import type { FitProblem, FitSession, Side, SolveParams } from '../backend.js';
import { createStorageBuffer, readRanges } from './buffers.js';
import { DeviceCsr } from './device-csr.js';
import type { GpuContext } from './device.js';
import { FactorPages } from './factor-pages.js';
import { GramPass, type PreparedGram } from './gram-pass.js';
import { solveRowsCholesky } from './host-cholesky.js';
import { LossPass } from './loss-pass.js';
import type { PipelineCache } from './pipelines.js';
import { SolvePass } from './solve-pass.js';
import { validateDeviceCapacity, validateFitProblem, validateSolveParams } from './validate.js';

// SolveStatus after a reset: no non-finite rows, lowest such row "none".
const STATUS_RESET = new Uint32Array([0, 0xffffffff]);

export class WebGpuFitSession implements FitSession {
  private readonly context: GpuContext;
  private readonly nUsers: number;
  private readonly nItems: number;
  private readonly nnz: number;
  private readonly confidenceSum: number;
  /** Host copies of both orientations, for the host Cholesky solve. */
  private readonly hostMatrices: Record<Side, CsrMatrix>;
  private readonly userItems: DeviceCsr;
  private readonly itemUsers: DeviceCsr;
  private readonly userFactors: FactorPages;
  private readonly itemFactors: FactorPages;
  private readonly userGram: GPUBuffer;
  private readonly itemGram: GPUBuffer;
  private readonly solveStatus: GPUBuffer;
  private readonly gramPass: GramPass;
  private readonly userGramPrepared: PreparedGram;
  private readonly itemGramPrepared: PreparedGram;
  private readonly solvePasses: Record<Side, SolvePass>;
  private readonly lossPass: LossPass;
  private isDisposed = false;

  private constructor(context: GpuContext, pipelines: PipelineCache, problem: FitProblem) {
    const { device, limits } = context;
    const { userItems, itemUsers, factors } = problem;
    this.context = context;
    this.nUsers = userItems.nRows;
    this.nItems = userItems.nCols;
    this.nnz = userItems.nnz;
    this.confidenceSum = userItems.data.reduce((sum, value) => sum + value, 0);
    this.hostMatrices = { users: userItems, items: itemUsers };

    this.userFactors = FactorPages.create(device, 'userFactors', problem.userFactors, this.nUsers, factors, limits);
    this.itemFactors = FactorPages.create(device, 'itemFactors', problem.itemFactors, this.nItems, factors, limits);
    this.userItems = new DeviceCsr(device, 'userItems', userItems);
    this.itemUsers = new DeviceCsr(device, 'itemUsers', itemUsers);
    this.userGram = createStorageBuffer(device, 'userGram', factors * factors * 4);
    this.itemGram = createStorageBuffer(device, 'itemGram', factors * factors * 4);
    this.solveStatus = createStorageBuffer(device, 'solveStatus', STATUS_RESET.byteLength);

    this.gramPass = new GramPass(context, pipelines, factors, [this.userFactors.layout, this.itemFactors.layout]);
    this.userGramPrepared = this.gramPass.prepare(this.userFactors, this.userGram, 'userGramPass');
    this.itemGramPrepared = this.gramPass.prepare(this.itemFactors, this.itemGram, 'itemGramPass');
    this.solvePasses = {
      users: new SolvePass(context, pipelines, { csr: this.userItems, solved: this.userFactors, other: this.itemFactors, gram: this.itemGram, status: this.solveStatus }, 'solveUsers'),
      items: new SolvePass(context, pipelines, { csr: this.itemUsers, solved: this.itemFactors, other: this.userFactors, gram: this.userGram, status: this.solveStatus }, 'solveItems'),
    };
    this.lossPass = new LossPass(context, pipelines, this.userItems, this.userFactors, this.itemFactors);
  }

  /** Validates `problem` and uploads it; GPU errors during the upload become DeviceError. */
  static async create(context: GpuContext, pipelines: PipelineCache, problem: FitProblem): Promise<WebGpuFitSession> {
    validateFitProblem(problem);
    validateDeviceCapacity(problem, context.limits);
    const started = performance.now();
    const session = await context.scoped('startFit upload', () => new WebGpuFitSession(context, pipelines, problem));
    context.logger.debug('webgpu upload', { ms: performance.now() - started, nUsers: session.nUsers, nItems: session.nItems, nnz: session.nnz });
    return session;
  }

  async solve(side: Side, params: SolveParams): Promise<void> {
    this.assertOpen('solve');
    validateSolveParams(params);
    if (params.solver === 'cholesky') return this.solveOnHost(side, params.regularization);

    // One error scope per pipeline group, so a GPU error names the pipeline that caused it.
    const started = performance.now();
    const { device } = this.context;
    await this.context.scoped('pipelines accumulateGram and reduceGram', () => {
      device.queue.writeBuffer(this.solveStatus, 0, STATUS_RESET);
      this.gramPass.run(side === 'users' ? this.itemGramPrepared : this.userGramPrepared);
    });
    await this.context.scoped('pipeline solveRowsCg', () => this.solvePasses[side].run(params.regularization, params.cgSteps));
    const status = new Uint32Array(await this.context.scoped('solveStatus readback', () => readRanges(device, 'solveStatusReadback', [{ buffer: this.solveStatus, offset: 0, size: 8 }])));
    this.context.logger.debug('webgpu solve', { side, ms: performance.now() - started });

    const [nonFiniteRows, firstRow] = status;
    if (nonFiniteRows > 0) {
      const rowName = side === 'users' ? 'user' : 'item';
      throw new NumericError(
        'non_finite_factors',
        `solving ${side} gave non-finite factors in ${nonFiniteRows} rows, first at ${rowName} row ${firstRow}; those rows were set to zero; raise regularization or check the confidence values`,
        { where: `${rowName} row ${firstRow}`, row: firstRow, side, rows: nonFiniteRows },
      );
    }
  }

  /**
   * Solves `side` exactly on the host: reads the other side's factors back, runs a float64 Cholesky
   * solve per row and uploads the result. There is no Cholesky kernel, so this is the slow path.
   */
  private async solveOnHost(side: Side, regularization: number): Promise<void> {
    warnOnce(this.context.logger, 'fallback', 'solver "cholesky" runs on the host with the WebGPU backend, one row at a time; use solver "cg" for the GPU path');
    const started = performance.now();
    const other = await this.readFactors(side === 'users' ? 'items' : 'users');
    const solved = solveRowsCholesky(this.hostMatrices[side], other, this.userFactors.factors, regularization, side);
    await this.writeFactors(side, solved);
    this.context.logger.debug('webgpu host cholesky solve', { side, ms: performance.now() - started });
  }

  async loss(regularization: number): Promise<number> {
    this.assertOpen('loss');
    const started = performance.now();
    await this.context.scoped('pipelines accumulateGram and reduceGram', () => {
      this.gramPass.run(this.userGramPrepared);
      this.gramPass.run(this.itemGramPrepared);
    });
    const sparse = await this.context.scoped('pipeline accumulateLoss', () => this.lossPass.sparseTerm());
    const gramBytes = this.userFactors.factors * this.userFactors.factors * 4;
    const grams = new Float32Array(
      await this.context.scoped('gram readback', () =>
        readRanges(this.context.device, 'gramReadback', [
          { buffer: this.userGram, offset: 0, size: gramBytes },
          { buffer: this.itemGram, offset: 0, size: gramBytes },
        ]),
      ),
    );

    // Dense part <XtX, YtY> and the squared norms |X|^2 = trace(XtX), |Y|^2 = trace(YtY), in float64.
    const factors = this.userFactors.factors;
    const elements = factors * factors;
    let dense = 0;
    let userNorm = 0;
    let itemNorm = 0;
    for (let index = 0; index < elements; index++) dense += grams[index] * grams[elements + index];
    for (let f = 0; f < factors; f++) {
      userNorm += grams[f * factors + f];
      itemNorm += grams[elements + f * factors + f];
    }
    const total = sparse + dense + regularization * (userNorm + itemNorm);
    const normaliser = this.confidenceSum + this.nUsers * this.nItems - this.nnz;
    this.context.logger.debug('webgpu loss', { ms: performance.now() - started });
    return total / normaliser;
  }

  async readFactors(side: Side): Promise<Float32Array> {
    this.assertOpen('readFactors');
    const pages = side === 'users' ? this.userFactors : this.itemFactors;
    return this.context.scoped(`readFactors ${side}`, () => pages.read(side === 'users' ? 'userFactors' : 'itemFactors'));
  }

  async writeFactors(side: Side, factors: Float32Array): Promise<void> {
    this.assertOpen('writeFactors');
    const pages = side === 'users' ? this.userFactors : this.itemFactors;
    if (factors.length !== pages.rows * pages.factors) {
      throw new InputError('csr_shape_mismatch', `writeFactors('${side}') received ${factors.length} values, expected ${pages.rows} rows x ${pages.factors} factors = ${pages.rows * pages.factors}`, {
        where: `writeFactors ${side}`,
        expected: String(pages.rows * pages.factors),
        received: String(factors.length),
      });
    }
    await this.context.scoped(`writeFactors ${side}`, () => pages.write(factors));
  }

  async dispose(): Promise<void> {
    if (this.isDisposed) return;
    this.isDisposed = true;
    for (const resource of [this.lossPass, this.solvePasses.users, this.solvePasses.items, this.gramPass, this.userGramPrepared.uniforms, this.itemGramPrepared.uniforms]) resource.destroy();
    for (const resource of [this.userFactors, this.itemFactors, this.userItems, this.itemUsers]) resource.destroy();
    for (const buffer of [this.userGram, this.itemGram, this.solveStatus]) buffer.destroy();
  }

  private assertOpen(operation: string): void {
    if (this.isDisposed) {
      throw new InputError('session_disposed', `${operation} called on a disposed fit session; start a new fit with backend.startFit`, { where: operation });
    }
    this.context.assertAlive(operation);
  }
}
