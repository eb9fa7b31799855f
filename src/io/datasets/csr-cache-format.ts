// Layout of the binary CSR cache file, shared by its writer and its reader.
//
//   bytes 0-7    magic "OSUSUME\0"
//   bytes 8-11   format version, uint32 little-endian
//   bytes 12-15  header length in bytes, uint32 little-endian
//   bytes 16-    header: UTF-8 JSON (cacheHeaderSchema)
//   then         sections, each starting at a multiple of SECTION_ALIGNMENT, zero padding between
//
// Numbers in sections are little-endian, so a reader on a little-endian machine can view each
// section in place as a typed array. Strings are stored as one UTF-8 blob per list plus uint32
// byte offsets (length count + 1), so string i is bytes [offsets[i], offsets[i + 1]) of the blob.

import { z } from 'zod';

export const CACHE_MAGIC = Buffer.from('OSUSUME\0', 'latin1');
export const CACHE_VERSION = 1;
/** Magic, version and header length. */
export const PREAMBLE_BYTES = 16;
/** Section start alignment in bytes: a cache line, and a multiple of every element size used. */
export const SECTION_ALIGNMENT = 64;

/** Every section a cache can hold, in file order. The item name sections are optional. */
export const sectionNames = [
  'indptr',
  'indices',
  'data',
  'userIdOffsets',
  'userIdBytes',
  'itemIdOffsets',
  'itemIdBytes',
  'itemNameOffsets',
  'itemNameBytes',
] as const;
export type SectionName = (typeof sectionNames)[number];

export const sectionDtypes = ['uint32', 'float32', 'utf8'] as const;
export type SectionDtype = (typeof sectionDtypes)[number];

/** Bytes per element of each dtype. */
export const DTYPE_BYTES: Record<SectionDtype, number> = { uint32: 4, float32: 4, utf8: 1 };

/** The dtype each section must have. */
export const SECTION_DTYPES: Record<SectionName, SectionDtype> = {
  indptr: 'uint32',
  indices: 'uint32',
  data: 'float32',
  userIdOffsets: 'uint32',
  userIdBytes: 'utf8',
  itemIdOffsets: 'uint32',
  itemIdBytes: 'utf8',
  itemNameOffsets: 'uint32',
  itemNameBytes: 'utf8',
};

const count = z.number().int().nonnegative();

const sectionSchema = z.object({
  name: z.enum(sectionNames),
  dtype: z.enum(sectionDtypes),
  /** Byte offset from the start of the file. */
  offset: count,
  /** Number of elements (bytes for utf8). */
  length: count,
  /** CRC-32 (zlib polynomial) of the section's bytes, as an unsigned integer. */
  crc32: z.number().int().min(0).max(0xffffffff),
});
export type CacheSection = z.infer<typeof sectionSchema>;

const statsSchema = z.object({
  lines: count,
  rows: count,
  zeroValuesDropped: count,
  duplicatesSummed: count,
  blankLines: count,
  commentLines: count,
  headerLines: count,
  invalidLinesSkipped: count,
  firstInvalidLine: z.string().optional(),
});

/** Provenance of the cached matrix, returned by fetchDataset as `source`. */
const sourceSchema = z.object({
  /** Data set name, for example "ml-100k"; absent for caches of arbitrary files. */
  dataset: z.string().optional(),
  /** Download address or input file the matrix was read from. */
  origin: z.string(),
  /** File inside the archive that held the interactions, when there was an archive. */
  member: z.string().optional(),
  /** Check the download passed: 'sha256', 'md5', 'size' or 'none'. */
  verification: z.string().optional(),
  /** ISO 8601 time the cache was written. */
  createdAt: z.string(),
});
export type CacheSource = z.infer<typeof sourceSchema>;

export const cacheHeaderSchema = z
  .object({
    /** [nUsers, nItems] of userItems. */
    shape: z.tuple([count, count]),
    nnz: count,
    /** Total file length in bytes; a shorter file was truncated. */
    fileBytes: count,
    stats: statsSchema,
    source: sourceSchema,
    sections: z.array(sectionSchema),
  })
  .strict();
export type CacheHeader = z.infer<typeof cacheHeaderSchema>;

/** Rounds `offset` up to the next multiple of SECTION_ALIGNMENT. */
export function alignSection(offset: number): number {
  return Math.ceil(offset / SECTION_ALIGNMENT) * SECTION_ALIGNMENT;
}
