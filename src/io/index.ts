// Public API of the file layer: loaders, formats and the public data set catalogue.

export { loadInteractions, loadTrainTest, type LoadedInteractions, type TrainTestInteractions } from './load.js';
export type { LoadOptions } from './load-options.js';
export { interactionFormats, type InteractionFormat, type ResolvedFormat } from './formats.js';
export { datasetCatalogue, findDataset, type DatasetArchive, type DatasetEntry, type Unverified } from './catalogue.js';
