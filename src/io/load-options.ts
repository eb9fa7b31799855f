// Options of loadInteractions and loadTrainTest, validated with zod and reported as InputError.

import { z } from 'zod';
import { IdMap } from '../csr/id-map.js';
import { parseOrThrow } from '../validate.js';
import { MAX_FIELDS } from './delimited-parser.js';
import { interactionFormats } from './formats.js';
import { MAX_LINE_BYTES } from './line-reader.js';

/** Options that describe a generic delimited layout; they apply to formats triplets and csv only. */
const GENERIC_OPTIONS = ['delimiter', 'userColumn', 'itemColumn', 'valueColumn', 'header', 'columnCount'] as const;

const column = z
  .number({ error: 'expected a 0-based column index' })
  .int({ error: 'expected a whole 0-based column index' })
  .min(0, { error: `expected a column index in [0, ${MAX_FIELDS - 1}]` })
  .max(MAX_FIELDS - 1, { error: `expected a column index in [0, ${MAX_FIELDS - 1}]` });

const loadOptionsSchema = z
  .object({
    format: z.enum(interactionFormats, { error: `expected one of ${interactionFormats.join(', ')}` }).default('auto'),
    delimiter: z
      .string({ error: 'expected a string such as "\\t", "," or "::"' })
      .min(1, { error: 'expected a non-empty delimiter' })
      .max(8, { error: 'expected a delimiter of at most 8 characters' })
      .refine((text) => !/[\r\n]/.test(text), { error: 'expected a delimiter without line breaks' })
      .optional(),
    userColumn: column.optional(),
    itemColumn: column.optional(),
    valueColumn: column.nullable().optional(),
    header: z.union([z.boolean(), z.literal('auto')], { error: "expected true, false or 'auto'" }).optional(),
    columnCount: z
      .number({ error: 'expected a number of columns' })
      .int({ error: 'expected a whole number of columns' })
      .min(1, { error: `expected a column count in [1, ${MAX_FIELDS}]` })
      .max(MAX_FIELDS, { error: `expected a column count in [1, ${MAX_FIELDS}]` })
      .optional(),
    lastfmItemKey: z.enum(['name', 'mbid'], { error: 'expected name or mbid' }).default('name'),
    binary: z.boolean({ error: 'expected true or false' }).default(false),
    invalidLines: z.enum(['error', 'skip'], { error: 'expected error or skip' }).default('error'),
    userIds: z.instanceof(IdMap, { error: 'expected an IdMap' }).optional(),
    itemIds: z.instanceof(IdMap, { error: 'expected an IdMap' }).optional(),
    chunkBytes: z
      .number({ error: 'expected a number of bytes' })
      .int({ error: 'expected a whole number of bytes' })
      .min(1024, { error: `expected a read size in [1024, ${MAX_LINE_BYTES}] bytes` })
      .max(MAX_LINE_BYTES, { error: `expected a read size in [1024, ${MAX_LINE_BYTES}] bytes` })
      .optional(),
  })
  .strict()
  .superRefine((options, context) => {
    if (options.format !== 'auto' && options.format !== 'triplets' && options.format !== 'csv') {
      for (const name of GENERIC_OPTIONS) {
        if (options[name] !== undefined) {
          context.addIssue({ code: 'custom', path: [name], message: `applies only to formats triplets and csv, not ${options.format}` });
        }
      }
    }
    const userColumn = options.userColumn ?? 0;
    const itemColumn = options.itemColumn ?? 1;
    if (userColumn === itemColumn) {
      context.addIssue({ code: 'custom', path: ['itemColumn'], message: `expected a column other than userColumn ${userColumn} (itemColumn defaults to 1)` });
    }
    const valueColumn = options.valueColumn ?? undefined;
    if (valueColumn !== undefined && (valueColumn === userColumn || valueColumn === itemColumn)) {
      context.addIssue({ code: 'custom', path: ['valueColumn'], message: `expected a column other than userColumn ${userColumn} and itemColumn ${itemColumn}` });
    }
    const lastColumn = Math.max(userColumn, itemColumn, valueColumn ?? 0);
    if (options.columnCount !== undefined && options.columnCount <= lastColumn) {
      context.addIssue({ code: 'custom', path: ['columnCount'], message: `expected at least ${lastColumn + 1} columns to hold column ${lastColumn}` });
    }
  });

/**
 * Options of `loadInteractions` and `loadTrainTest`. Column numbers are 0-based here; error
 * messages count columns and lines from 1, as editors do.
 */
export interface LoadOptions {
  /** File format; default 'auto', which decides from the file name and first lines. */
  format?: (typeof interactionFormats)[number];
  /** triplets and csv: field delimiter, 1 to 8 characters. Default: csv ','; triplets the first of tab, ',', ';', ' ' found in the first line. */
  delimiter?: string;
  /** triplets and csv: column of the user id. Default 0. */
  userColumn?: number;
  /** triplets and csv: column of the item id. Default 1. */
  itemColumn?: number;
  /** triplets and csv: column of the value; null for none (every line counts 1). Default 2 when the first line has it. */
  valueColumn?: number | null;
  /**
   * triplets and csv: whether the first content line names the columns. Default 'auto' takes it for a
   * header when its user, item and value fields all start with a letter and are not numbers. One of
   * them must also be a known column name (user, userId, item_id, movieId, artist, rating, ...) or end
   * in "id" ("pin_id").
   */
  header?: boolean | 'auto';
  /** triplets and csv: columns every line must have. Default: as many as the first content line. */
  columnCount?: number;
  /** lastfm360k: item id from the artist name (default, as implicit does) or the MusicBrainz id. */
  lastfmItemKey?: 'name' | 'mbid';
  /** Ignore the values and count each accepted line as 1. Default false. */
  binary?: boolean;
  /** 'error' (default) throws at the first invalid line; 'skip' counts invalid lines in stats and goes on. */
  invalidLines?: 'error' | 'skip';
  /** User ids to extend, so the result shares their index space. */
  userIds?: IdMap;
  /** Item ids to extend; see userIds. */
  itemIds?: IdMap;
  /** Bytes per read, in [1024, 64 MiB]. Default 1 MiB. */
  chunkBytes?: number;
}

// Compile-time check that the interface and the schema accept the same options.
type SchemaInput = z.input<typeof loadOptionsSchema>;
const acceptsLoadOptions = (options: LoadOptions): SchemaInput => options;
void acceptsLoadOptions;

/** LoadOptions with defaults applied. */
export type ParsedLoadOptions = z.output<typeof loadOptionsSchema>;

/** Validates `options`; throws InputError `invalid_option` naming each bad option, its value and what is expected. */
export function parseLoadOptions(options: LoadOptions | undefined, caller: string): ParsedLoadOptions {
  return parseOrThrow(loadOptionsSchema, options ?? {}, `${caller} options`, (path) => (path === '' ? 'options' : path));
}

/** True when the caller chose any generic layout option, which limits `auto` to mtx, csv and triplets. */
export function hasGenericChoices(options: ParsedLoadOptions): boolean {
  return GENERIC_OPTIONS.some((name) => options[name] !== undefined);
}
