// Public API of public data set fetching and the binary CSR cache.

export { CSR_CACHE_SUFFIX, csrCachePath, defaultCacheDir } from './cache-dir.js';
export type { CacheHeader, CacheSource } from './csr-cache-format.js';
export { type CsrCacheContents, readCsrCache, type ReadCsrCacheOptions } from './csr-cache-reader.js';
export { type CacheSourceInput, writeCsrCache } from './csr-cache-writer.js';
export { type DatasetStatus, listDatasets, loadDatasetCache } from './dataset-cache.js';
export { type DownloadOptions, type DownloadProgress, type DownloadResult, downloadFile } from './download.js';
export { fetchDataset, type FetchedDataset } from './fetch-dataset.js';
export type { FetchableEntry, FetchDatasetOptions, FetchPhase, FetchProgress } from './fetch-options.js';
export type { Verification, VerificationMethod } from './verify.js';
