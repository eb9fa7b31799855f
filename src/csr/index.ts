// Public API of the sparse-matrix layer: the CSR type, id maps, building from triplets and weighting.

export { CsrMatrix, validateCsr, type CsrParts } from './csr-matrix.js';
export { IdMap, type ExternalId } from './id-map.js';
export { buildCsr, csrFromTriplets, type CsrBuild } from './build.js';
export { TripletBuilder, type TripletBuild, type TripletBuilderOptions } from './triplet-builder.js';
export { emptyStats, type InteractionStats, type Interactions } from './interactions.js';
export { bm25Weight, confidenceWeight, tfidfWeight, type Bm25Options } from './weighting.js';
