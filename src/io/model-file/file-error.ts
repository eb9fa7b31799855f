// The error every model file reader throws for a damaged or foreign file.

import { InputError } from '../../errors.js';

/** Throws InputError (invalid_file) naming the file and the part of it that is wrong. */
export function failModelFile(path: string, where: string, problem: string, fix = 'the file is damaged or was not written by osusume; save the model again'): never {
  throw new InputError('invalid_file', `${path}: ${where}: ${problem}; ${fix}`, { where: `${path} ${where}` });
}
