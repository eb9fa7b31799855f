// Public entry of the model file format: one binary file per fitted model.

export { writeModelFile } from './write-model-file.js';
export { readModelFile, type ReadModelFileOptions } from './read-model-file.js';
export type { ModelFileContents } from './contents.js';
export { MODEL_FORMAT_VERSION, type SavedOptions, type TrainingSummary } from './format.js';
