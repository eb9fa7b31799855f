// Conversions between model options and the options stored in model files.

import type { Backend } from '../backends/backend.js';
import type { ModelFileContents, SavedOptions } from '../io/model-file/index.js';
import type { Logger, LogLevel } from '../log.js';
import type { AlsOptions, ResolvedAlsOptions } from '../options.js';

/** Runtime choices for a loaded model. The model options (factors, regularization, ...) come from the file. */
export interface LoadModelOptions {
  /** 'auto' (default), 'cpu' or 'webgpu'; see AlsOptions.device. */
  device?: 'auto' | 'cpu' | 'webgpu';
  /** CPU worker threads; default os.availableParallelism(). */
  threads?: number;
  logger?: Logger;
  logLevel?: LogLevel;
  /** A backend the caller created and disposes; device and threads are then ignored. */
  backend?: Backend;
  /** 'full' (default) verifies section checksums and the training matrix's indptr; 'none' skips the checksums and checks the whole CSR structure instead. Model files only. */
  verify?: 'full' | 'none';
}

/** Returns the options that a model file keeps. */
export function savedOptionsOf(options: ResolvedAlsOptions): SavedOptions {
  const { factors, regularization, alpha, iterations, solver, cgSteps, calculateTrainingLoss, seed } = options;
  return seed === undefined
    ? { factors, regularization, alpha, iterations, solver, cgSteps, calculateTrainingLoss }
    : { factors, regularization, alpha, iterations, solver, cgSteps, calculateTrainingLoss, seed };
}

/** Merges stored options with the runtime choices, leaving out choices that were not given. */
export function modelOptionsFromContents(contents: ModelFileContents, options: LoadModelOptions): AlsOptions {
  return modelOptionsFromSaved(contents.options, options);
}

/** Merges the options a model file keeps with the runtime choices, leaving out choices that were not given. */
export function modelOptionsFromSaved(saved: SavedOptions, options: LoadModelOptions): AlsOptions {
  const { verify: _verify, ...runtime } = options;
  const runtimeChoices = Object.fromEntries(Object.entries(runtime).filter(([, value]) => value !== undefined));
  return { ...saved, ...runtimeChoices };
}
