// Checks of FitProblem and SolveParams at the WebGPU backend's boundary, and of whether a problem fits
// the device, so that invalid input fails before any buffer is allocated.

import { InputError } from '../../errors.js';
import type { FitProblem, SolveParams } from '../backend.js';
import { planPages } from './chunking.js';
import { MAX_BOUND_PAGES } from './factor-pages.js';
import { planGram, solveConfig } from './kernel-config.js';
import type { KernelLimits } from './limits.js';

function shapeError(message: string, where: string, expected: string, received: string): InputError {
  return new InputError('csr_shape_mismatch', message, { where, expected, received });
}

/** Throws InputError when the matrices, factor count and initial factors disagree. */
export function validateFitProblem(problem: FitProblem): void {
  const { userItems, itemUsers, factors } = problem;
  if (!Number.isInteger(factors) || factors < 1) {
    throw new InputError('invalid_option', `factors is ${factors}, expected a positive integer`, { where: 'factors', expected: 'a positive integer', received: String(factors) });
  }
  const [nUsers, nItems] = userItems.shape;
  if (itemUsers.nRows !== nItems || itemUsers.nCols !== nUsers || itemUsers.nnz !== userItems.nnz) {
    throw shapeError(
      `itemUsers is ${itemUsers.nRows} x ${itemUsers.nCols} with ${itemUsers.nnz} entries but userItems is ${nUsers} x ${nItems} with ${userItems.nnz}; pass userItems.transpose() as itemUsers`,
      'itemUsers',
      `${nItems} x ${nUsers}, ${userItems.nnz} entries`,
      `${itemUsers.nRows} x ${itemUsers.nCols}, ${itemUsers.nnz} entries`,
    );
  }
  if (problem.userFactors.length !== nUsers * factors) {
    throw shapeError(`userFactors has ${problem.userFactors.length} values but ${nUsers} users x ${factors} factors need ${nUsers * factors}`, 'userFactors', String(nUsers * factors), String(problem.userFactors.length));
  }
  if (problem.itemFactors.length !== nItems * factors) {
    throw shapeError(`itemFactors has ${problem.itemFactors.length} values but ${nItems} items x ${factors} factors need ${nItems * factors}`, 'itemFactors', String(nItems * factors), String(problem.itemFactors.length));
  }
}

/** Throws InputError when a rows x factors matrix is too large for the kernels to bind on this device. */
export function validateFactorCapacity(label: string, rows: number, factors: number, limits: KernelLimits): void {
  const layout = planPages(rows, factors, limits);
  if (layout.pageRows.length > MAX_BOUND_PAGES) {
    const limitBytes = MAX_BOUND_PAGES * layout.rowsPerPage * factors * 4;
    throw new InputError('invalid_option', `${label} needs ${rows * factors * 4} bytes (${rows} x ${factors} floats) but the WebGPU kernels bind at most ${limitBytes} bytes of one factor matrix on this device; use fewer factors or device "cpu"`, {
      where: label,
      expected: `at most ${limitBytes} bytes`,
      received: `${rows * factors * 4} bytes`,
    });
  }
}

/** Throws InputError when a matrix or kernel of `problem` cannot fit this device's limits. */
export function validateDeviceCapacity(problem: FitProblem, limits: KernelLimits): void {
  const { factors } = problem;
  solveConfig(factors, limits);
  for (const [label, rows] of [['userFactors', problem.userItems.nRows], ['itemFactors', problem.userItems.nCols]] as const) {
    validateFactorCapacity(label, rows, factors, limits);
    planGram(planPages(rows, factors, limits), limits);
  }
}

/** Throws InputError for a negative or non-finite regularization or a cgSteps that is not a whole number. */
export function validateSolveParams(params: SolveParams): void {
  if (!Number.isFinite(params.regularization) || params.regularization < 0) {
    throw new InputError('invalid_option', `regularization is ${params.regularization}, expected a finite number >= 0`, {
      where: 'regularization',
      expected: 'a finite number >= 0',
      received: String(params.regularization),
    });
  }
  if (params.solver === 'cg' && (!Number.isInteger(params.cgSteps) || params.cgSteps < 0)) {
    throw new InputError('invalid_option', `cgSteps is ${params.cgSteps}, expected an integer >= 0`, {
      where: 'cgSteps',
      expected: 'an integer >= 0',
      received: String(params.cgSteps),
    });
  }
}
