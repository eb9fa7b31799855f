// Decides whether the first content line of a delimited file is a header, for `header: 'auto'`.
// Taking a data line for a header drops it without a trace, while a missed header fails loudly on
// its value field, so only a line that clearly names columns counts as a header.

/**
 * Column names that headers of interaction files use, lower-cased with everything but letters and
 * digits removed ("user_id" is "userid"). A trailing "s" is also accepted ("users", "plays").
 */
const KNOWN_COLUMN_NAMES = new Set([
  // Users.
  'user', 'userid', 'uid', 'usersha1', 'username', 'customer', 'customerid', 'client', 'clientid', 'visitor', 'visitorid',
  'member', 'memberid', 'account', 'accountid', 'person', 'personid', 'reviewer', 'reviewerid', 'listener', 'listenerid',
  'viewer', 'viewerid', 'player', 'playerid', 'reader', 'readerid', 'buyer', 'buyerid', 'session', 'sessionid',
  // Items.
  'item', 'itemid', 'iid', 'movie', 'movieid', 'film', 'filmid', 'artist', 'artistid', 'artistname', 'artname', 'artmbid',
  'mbid', 'track', 'trackid', 'song', 'songid', 'album', 'albumid', 'product', 'productid', 'sku', 'book', 'bookid', 'isbn',
  'asin', 'game', 'gameid', 'appid', 'anime', 'animeid', 'show', 'showid', 'video', 'videoid', 'article', 'articleid',
  'recipe', 'recipeid', 'business', 'businessid', 'venue', 'venueid', 'place', 'placeid', 'page', 'pageid', 'url', 'doc',
  'docid', 'document', 'documentid', 'repo', 'repoid', 'tag', 'tagid',
  // Values.
  'rating', 'bookrating', 'score', 'value', 'count', 'playcount', 'play', 'listen', 'listencount', 'click', 'view', 'weight',
  'quantity', 'qty', 'frequency', 'freq', 'purchase', 'interaction', 'event', 'overall', 'star', 'confidence', 'strength',
]);

/** Words that start with a letter but parse as numbers in some languages, so they suggest a bad value. */
const NUMBER_WORDS = /^[+-]?(nan|inf|infinity)$/i;
/** An id column named with an "id" suffix: "pin_id", "board-id", "doc id", "pinId", "pinID", "PIN_ID", "ID". */
const ID_SUFFIX = /(^|[_\- ])(id|Id|ID)$|[a-z](Id|ID)$/;

/**
 * Returns true when every field reads as a column name: it starts with a letter (after an optional
 * double quote) and is not NaN or Infinity. A line of data ids with an invalid value can pass too
 * ("u1,i1,abc"), so this alone does not make a header.
 */
export function looksLikeColumnNames(fields: readonly string[]): boolean {
  return fields.every((field) => {
    const name = unquote(field);
    return /^[A-Za-z]/.test(name) && !NUMBER_WORDS.test(name);
  });
}

/**
 * Returns true when `fields` form a header. They are the user, item and, if the layout has one, value
 * field of the first content line. All of them must read as column names (see looksLikeColumnNames),
 * and at least one must be a known column name ("user", "userId", "movie_id", "artist", "rating") or
 * end in an "id" suffix ("pin_id", "boardId").
 */
export function looksLikeHeader(fields: readonly string[]): boolean {
  return looksLikeColumnNames(fields) && fields.some(isKnownColumnName);
}

function isKnownColumnName(field: string): boolean {
  const name = unquote(field);
  if (ID_SUFFIX.test(name)) return true;
  const key = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  return KNOWN_COLUMN_NAMES.has(key) || (key.endsWith('s') && KNOWN_COLUMN_NAMES.has(key.slice(0, -1)));
}

function unquote(field: string): string {
  const trimmed = field.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed;
}
