// The supported file formats and the column layout of each delimited one.

/** Formats accepted by the `format` option. `auto` picks one from the file name and first lines. */
export const interactionFormats = ['auto', 'triplets', 'csv', 'lastfm360k', 'movielens', 'mtx'] as const;
export type InteractionFormat = (typeof interactionFormats)[number];
/** A format after `auto` has been resolved. */
export type ResolvedFormat = Exclude<InteractionFormat, 'auto'>;

/** Positions of the user id, item id, value and display name in each line of a delimited file. */
export interface DelimitedLayout {
  format: Exclude<ResolvedFormat, 'mtx'>;
  /** The flavour of the file for messages, for example "MovieLens ratings.csv". */
  description: string;
  delimiter: Uint8Array;
  /** The delimiter in words for messages: "tab", "comma" or the quoted string. */
  delimiterName: string;
  /** Columns every data line must have; undefined means "as many as the first line". */
  columnCount: number | undefined;
  /** A name per column for messages; shorter than the line when only some columns are known. */
  columnNames: readonly string[];
  userColumn: number;
  itemColumn: number;
  /** Column to use as the item id when `itemColumn` is empty (Last.fm rows without an artist name). */
  itemFallbackColumn?: number;
  /** Column holding the item's display name, kept for `itemNames`. */
  nameColumn?: number;
  /** undefined: every line counts 1. */
  valueColumn: number | undefined;
  /** true: the first content line names the columns; 'auto': it does when it looks like column names (see looksLikeHeader). */
  header: boolean | 'auto';
  /** The exact header line the format requires, when it has one. */
  expectedHeader?: string;
  /** The form every user id of the format has, checked on the first data line to catch a wrongly chosen format. */
  userIdForm?: UserIdForm;
}

/** A fixed form of user ids, and what to do when the first data line does not have it. */
export interface UserIdForm {
  pattern: RegExp;
  /** The form in words for messages, for example "a 40-character hex sha1". */
  description: string;
  /** The next step for a file without that form, for messages. */
  remedy: string;
}

/** Last.fm 360K user ids: the sha1 of the user name as 40 hex digits. */
export const LASTFM_USER_ID = /^[0-9a-f]{40}$/i;

const TAB = Uint8Array.of(0x09);
const COMMA = Uint8Array.of(0x2c);

/**
 * Last.fm 360K `usersha1-artmbid-artname-plays.tsv`: user sha1, artist MusicBrainz id (often empty),
 * artist name, plays. Like implicit's loader, the item id is the artist name unless `itemKey` is
 * 'mbid'. Either way, the other column replaces the chosen one when that is empty.
 * Only the first data line must have a sha1 user id, which catches a MovieLens or other file loaded
 * as Last.fm. A file of this layout with other user ids loads as triplets with columns 0, 2 and 3.
 */
export function lastfmLayout(itemKey: 'name' | 'mbid'): DelimitedLayout {
  return {
    format: 'lastfm360k',
    description: 'Last.fm 360K',
    delimiter: TAB,
    delimiterName: 'tab',
    columnCount: 4,
    columnNames: ['user sha1', 'artist mbid', 'artist name', 'plays'],
    userColumn: 0,
    itemColumn: itemKey === 'name' ? 2 : 1,
    itemFallbackColumn: itemKey === 'name' ? 1 : 2,
    nameColumn: 2,
    valueColumn: 3,
    header: 'auto',
    userIdForm: {
      pattern: LASTFM_USER_ID,
      description: 'a 40-character hex sha1',
      remedy: 'choose format movielens for MovieLens files or triplets for other delimited files',
    },
  };
}

/** The header of MovieLens `ratings.csv` (ml-latest, ml-latest-small, ml-20m, ml-25m). */
export const MOVIELENS_CSV_HEADER = 'userId,movieId,rating,timestamp';

/** MovieLens `ratings.csv`: comma-separated with the header userId,movieId,rating,timestamp. */
export const movielensCsvLayout: DelimitedLayout = {
  format: 'movielens',
  description: 'MovieLens ratings.csv',
  delimiter: COMMA,
  delimiterName: 'comma',
  columnCount: 4,
  columnNames: ['userId', 'movieId', 'rating', 'timestamp'],
  userColumn: 0,
  itemColumn: 1,
  valueColumn: 2,
  header: true,
  expectedHeader: MOVIELENS_CSV_HEADER,
};

/** MovieLens 100K `u.data`: user id, item id, rating, timestamp, tab-separated, no header. */
export const movielensTabLayout: DelimitedLayout = {
  format: 'movielens',
  description: 'MovieLens u.data',
  delimiter: TAB,
  delimiterName: 'tab',
  columnCount: 4,
  columnNames: ['user id', 'item id', 'rating', 'timestamp'],
  userColumn: 0,
  itemColumn: 1,
  valueColumn: 2,
  header: false,
};

/** MovieLens 1M `ratings.dat`: UserID::MovieID::Rating::Timestamp, no header. */
export const movielensDatLayout: DelimitedLayout = {
  format: 'movielens',
  description: 'MovieLens ratings.dat',
  delimiter: new TextEncoder().encode('::'),
  delimiterName: '"::"',
  columnCount: 4,
  columnNames: ['UserID', 'MovieID', 'Rating', 'Timestamp'],
  userColumn: 0,
  itemColumn: 1,
  valueColumn: 2,
  header: false,
};

/** Choices for generic delimited files (`triplets`, `csv`). */
export interface GenericLayoutChoices {
  format: 'triplets' | 'csv';
  delimiter: string;
  userColumn: number;
  itemColumn: number;
  /**
   * null: no value column, every line counts 1. undefined: the first column that is neither the user
   * nor the item column, when the first line has it; otherwise none.
   */
  valueColumn: number | null | undefined;
  header: boolean | 'auto';
  columnCount: number | undefined;
}

/** Builds the layout of a generic delimited file. */
export function genericLayout(choices: GenericLayoutChoices, firstLineColumns: number): DelimitedLayout {
  const valueColumn = choices.valueColumn === undefined ? defaultValueColumn(choices, firstLineColumns) : (choices.valueColumn ?? undefined);
  const columnNames: string[] = [];
  columnNames[choices.userColumn] = 'user id';
  columnNames[choices.itemColumn] = 'item id';
  if (valueColumn !== undefined) columnNames[valueColumn] = 'value';
  return {
    format: choices.format,
    description: choices.format === 'csv' ? 'CSV triplets' : 'delimited triplets',
    delimiter: new TextEncoder().encode(choices.delimiter),
    delimiterName: describeDelimiter(choices.delimiter),
    columnCount: choices.columnCount,
    columnNames,
    userColumn: choices.userColumn,
    itemColumn: choices.itemColumn,
    valueColumn,
    header: choices.header,
  };
}

function defaultValueColumn(choices: GenericLayoutChoices, firstLineColumns: number): number | undefined {
  let column = 0;
  while (column === choices.userColumn || column === choices.itemColumn) column++;
  return column < firstLineColumns ? column : undefined;
}

/** Describes the delimiter in words for messages. */
export function describeDelimiter(delimiter: string): string {
  if (delimiter === '\t') return 'tab';
  if (delimiter === ',') return 'comma';
  if (delimiter === ';') return 'semicolon';
  if (delimiter === ' ') return 'space';
  return JSON.stringify(delimiter);
}
