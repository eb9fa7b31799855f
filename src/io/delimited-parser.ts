// Parses delimited interaction lines (TSV, CSV, "::") into triplets. Fields are located by byte
// offsets into the line and ids are looked up by their bytes, so a line makes no string unless it
// brings a new id.

import type { DelimitedLayout } from './formats.js';
import { lineError, quote } from './file-errors.js';
import type { LineVisitor } from './line-reader.js';
import { looksLikeColumnNames, looksLikeHeader } from './header-detection.js';
import { describeExpectedNumber, describeInvalidNumber, NOT_A_NUMBER, parseNonNegative } from './parse-number.js';
import { type ParseTarget, rejectLine } from './parse-target.js';

/** Fields located per line; columns past this are counted but not located. Column options stay below it. */
export const MAX_FIELDS = 256;

/** User ids up to this many bytes are remembered for the repeat check; Last.fm sha1s take 40. */
const REMEMBERED_USER_BYTES = 64;
const HASH = 0x23;
const SPACE = 0x20;
const TAB = 0x09;

export class DelimitedParser implements LineVisitor {
  private readonly fieldStarts = new Int32Array(MAX_FIELDS);
  private readonly fieldEnds = new Int32Array(MAX_FIELDS);
  private readonly requiredColumns: number;
  private columnCount: number;
  private isAwaitingFirstLine = true;
  /** Line number of the first content line, which may be a header; 0 until it is read. */
  private firstLineNumber = 0;
  /** True until a line with the right column count follows the header, if any. */
  private isAwaitingFirstDataLine = true;
  /**
   * The user id of the previous accepted line, when the user is column 0 and the delimiter one byte.
   * Files grouped by user (Last.fm, MovieLens ratings.csv) repeat it line after line, so checking it first
   * finds the first field and the user index in one pass.
   */
  private readonly previousUser = Buffer.alloc(REMEMBERED_USER_BYTES);
  private previousUserLength = 0;
  private previousUserIndex = -1;
  /** User index found by the previous-user check for the current line, or -1. */
  private repeatedUserIndex = -1;

  constructor(
    private readonly layout: DelimitedLayout,
    private readonly target: ParseTarget,
  ) {
    const used = [layout.userColumn, layout.itemColumn, layout.valueColumn ?? 0, layout.itemFallbackColumn ?? 0, layout.nameColumn ?? 0];
    this.requiredColumns = Math.max(...used) + 1;
    this.columnCount = layout.columnCount ?? 0;
  }

  /** True once the header is decided and the first data line has passed the checks only it gets. */
  get isLayoutSettled(): boolean {
    return !this.isAwaitingFirstLine && !this.isAwaitingFirstDataLine;
  }

  /** Columns every data line must have; fixed once the first content line is read. */
  get expectedColumnCount(): number {
    return this.columnCount;
  }

  visitLine(bytes: Buffer, start: number, end: number, lineNumber: number): void {
    const { stats } = this.target;
    if (start === end || ((bytes[start] === SPACE || bytes[start] === TAB) && isBlank(bytes, start, end))) {
      stats.blankLines++;
      return;
    }
    if (bytes[start] === HASH) {
      stats.commentLines++;
      return;
    }

    const fieldCount = this.splitFields(bytes, start, end, this.matchPreviousUser(bytes, start, end));
    if (this.isAwaitingFirstLine) {
      this.isAwaitingFirstLine = false;
      if (this.takeFirstLine(bytes, start, end, fieldCount, lineNumber)) return;
    }
    if (fieldCount !== this.columnCount) {
      const source = this.layout.columnCount === undefined ? ` as on line ${this.firstLineNumber}` : '';
      rejectLine(this.target, lineNumber, `found ${fieldCount} ${fieldCount === 1 ? 'column' : 'columns'}, expected ${this.columnCount}${source} (${this.describeAllColumns()}); check the delimiter (${this.layout.delimiterName}) and the file format`, {
        received: String(fieldCount),
        expected: String(this.columnCount),
      });
      return;
    }
    if (this.isAwaitingFirstDataLine) {
      this.isAwaitingFirstDataLine = false;
      this.checkUserIdForm(bytes, lineNumber);
    }
    this.acceptFields(bytes, lineNumber);
  }

  /** Handles the first content line: fixes the column count and returns true when the line is a header. */
  private takeFirstLine(bytes: Buffer, start: number, end: number, fieldCount: number, lineNumber: number): boolean {
    const { layout, target } = this;
    this.firstLineNumber = lineNumber;
    if (layout.columnCount === undefined) this.columnCount = fieldCount;
    if (this.columnCount < this.requiredColumns) {
      rejectLineAlways(target, lineNumber, `found ${fieldCount} ${fieldCount === 1 ? 'column' : 'columns'}, but the chosen columns (${this.describeNamedColumns()}) need at least ${this.requiredColumns}; check the delimiter (${layout.delimiterName}) and the column options`);
    }

    let isHeader = layout.header === true;
    if (layout.header === 'auto' && fieldCount >= this.requiredColumns) isHeader = !this.hasUserIdForm(bytes) && looksLikeHeader(this.headerCandidates(bytes));
    if (!isHeader) return false;

    const text = bytes.toString('utf8', start, end);
    if (layout.expectedHeader !== undefined && text !== layout.expectedHeader) {
      rejectLineAlways(target, lineNumber, `found ${quote(text)} where ${layout.description} has its header ${quote(layout.expectedHeader)}; choose another format or fix the header`, {
        received: text,
        expected: layout.expectedHeader,
      });
    }
    target.stats.headerLines++;
    return true;
  }

  private acceptFields(bytes: Buffer, lineNumber: number): void {
    const { layout, target, fieldStarts, fieldEnds } = this;

    const userStart = fieldStarts[layout.userColumn];
    const userEnd = fieldEnds[layout.userColumn];
    if (userStart === userEnd) {
      rejectLine(target, lineNumber, `${this.describeColumn(layout.userColumn)} is empty; expected a user id`);
      return;
    }

    let itemColumn = layout.itemColumn;
    if (fieldStarts[itemColumn] === fieldEnds[itemColumn] && layout.itemFallbackColumn !== undefined) itemColumn = layout.itemFallbackColumn;
    const itemStart = fieldStarts[itemColumn];
    const itemEnd = fieldEnds[itemColumn];
    if (itemStart === itemEnd) {
      const fallback = layout.itemFallbackColumn === undefined ? '' : ` and ${this.describeColumn(layout.itemFallbackColumn)}`;
      rejectLine(target, lineNumber, `${this.describeColumn(layout.itemColumn)}${fallback} ${fallback === '' ? 'is' : 'are'} empty; expected an item id`);
      return;
    }

    let value = 1;
    if (layout.valueColumn !== undefined && !target.binary) {
      const valueStart = fieldStarts[layout.valueColumn];
      const valueEnd = fieldEnds[layout.valueColumn];
      value = parseNonNegative(bytes, valueStart, valueEnd);
      if (value < 0) {
        const text = bytes.toString('utf8', valueStart, valueEnd);
        const expected = describeExpectedNumber(value);
        const hint = value === NOT_A_NUMBER && this.mayBeMissedHeader(bytes, lineNumber) ? `; if line ${lineNumber} is a header, ${this.describeHeaderRemedy()}` : '';
        rejectLine(target, lineNumber, `value ${quote(text)} in ${this.describeColumn(layout.valueColumn)} ${describeInvalidNumber(value)}; expected ${expected}${hint}`, {
          received: text,
          expected,
          column: layout.valueColumn + 1,
        });
        return;
      }
      if (value === 0) {
        target.stats.zeroValuesDropped++;
        target.builder.countDroppedZero();
        return;
      }
    }

    let userIndex = this.repeatedUserIndex;
    if (userIndex < 0) {
      userIndex = target.users.intern(bytes, userStart, userEnd);
      this.rememberUser(bytes, userStart, userEnd, userIndex);
    }
    const itemIndex = target.items.intern(bytes, itemStart, itemEnd);
    if (target.itemNames !== undefined && target.items.missedCache) this.rememberName(bytes, itemIndex);
    target.builder.addIndices(userIndex, itemIndex, value);
    target.stats.rows++;
  }

  /** Returns the user, item and value fields of the current line as text, for header detection. */
  private headerCandidates(bytes: Buffer): string[] {
    const { layout, fieldStarts, fieldEnds } = this;
    const columns = [layout.userColumn, layout.itemColumn];
    if (layout.valueColumn !== undefined) columns.push(layout.valueColumn);
    return columns.map((column) => bytes.toString('utf8', fieldStarts[column], fieldEnds[column]));
  }

  /** True for a first content line that `header: 'auto'` read as data although all its fields read as column names. */
  private mayBeMissedHeader(bytes: Buffer, lineNumber: number): boolean {
    if (lineNumber !== this.firstLineNumber || this.layout.header !== 'auto' || this.hasUserIdForm(bytes)) return false;
    return looksLikeColumnNames(this.headerCandidates(bytes));
  }

  /** True when the format fixes a form of user ids (Last.fm sha1s) and the current line's user field has it. */
  private hasUserIdForm(bytes: Buffer): boolean {
    const { layout, fieldStarts, fieldEnds } = this;
    if (layout.userIdForm === undefined) return false;
    return layout.userIdForm.pattern.test(bytes.toString('latin1', fieldStarts[layout.userColumn], fieldEnds[layout.userColumn]));
  }

  private describeHeaderRemedy(): string {
    const comment = 'start it with "#"';
    return this.layout.format === 'triplets' || this.layout.format === 'csv' ? `pass the option header: true or ${comment}` : comment;
  }

  /** Throws, whatever the skip policy, when the first data line's user id lacks the form the format requires. */
  private checkUserIdForm(bytes: Buffer, lineNumber: number): void {
    const { layout, fieldStarts, fieldEnds } = this;
    const form = layout.userIdForm;
    if (form === undefined || this.hasUserIdForm(bytes)) return;
    const text = bytes.toString('utf8', fieldStarts[layout.userColumn], fieldEnds[layout.userColumn]);
    const hint = this.mayBeMissedHeader(bytes, lineNumber) ? `; if line ${lineNumber} is a header, ${this.describeHeaderRemedy()}` : '';
    rejectLineAlways(this.target, lineNumber, `user id ${quote(text)} in ${this.describeColumn(layout.userColumn)} is not ${form.description}, so this does not look like a ${layout.description} file; ${form.remedy}${hint}`, {
      received: text,
      expected: form.description,
    });
  }

  private rememberName(bytes: Buffer, itemIndex: number): void {
    const names = this.target.itemNames;
    const column = this.layout.nameColumn;
    if (names === undefined || column === undefined || names[itemIndex] !== undefined) return;
    const start = this.fieldStarts[column];
    const end = this.fieldEnds[column];
    names[itemIndex] = start < end ? bytes.toString('utf8', start, end) : this.target.items.ids.idAt(itemIndex);
  }

  /**
   * Returns the end of the first field when the line starts with the previous line's user id and a
   * delimiter, and records the user index in `repeatedUserIndex`. Returns -1 otherwise.
   */
  private matchPreviousUser(bytes: Buffer, start: number, end: number): number {
    this.repeatedUserIndex = -1;
    const length = this.previousUserLength;
    if (length === 0 || start + length >= end || bytes[start + length] !== this.layout.delimiter[0]) return -1;
    const previous = this.previousUser;
    for (let i = 0; i < length; i++) {
      if (bytes[start + i] !== previous[i]) return -1;
    }
    this.repeatedUserIndex = this.previousUserIndex;
    return start + length;
  }

  private rememberUser(bytes: Buffer, start: number, end: number, userIndex: number): void {
    const length = end - start;
    const canRepeat = this.layout.userColumn === 0 && this.layout.delimiter.length === 1 && length <= REMEMBERED_USER_BYTES;
    this.previousUserLength = canRepeat ? length : 0;
    if (!canRepeat) return;
    bytes.copy(this.previousUser, 0, start, end);
    this.previousUserIndex = userIndex;
  }

  /**
   * Records field boundaries and returns the number of fields, counting past MAX_FIELDS.
   * `firstFieldEnd`, when not -1, is the already known end of field 0.
   */
  private splitFields(bytes: Buffer, start: number, end: number, firstFieldEnd: number): number {
    const { fieldStarts, fieldEnds } = this;
    const delimiter = this.layout.delimiter;
    const first = delimiter[0];
    const width = delimiter.length;
    let count = 0;
    let fieldStart = start;
    let scanFrom = start;
    if (firstFieldEnd >= 0) {
      fieldStarts[0] = start;
      fieldEnds[0] = firstFieldEnd;
      count = 1;
      fieldStart = firstFieldEnd + 1;
      scanFrom = fieldStart;
    }
    for (let i = scanFrom; i < end; i++) {
      if (bytes[i] !== first || (width > 1 && !matchesAt(bytes, i, end, delimiter))) continue;
      if (count < MAX_FIELDS) {
        fieldStarts[count] = fieldStart;
        fieldEnds[count] = i;
      }
      count++;
      i += width - 1;
      fieldStart = i + 1;
    }
    if (count < MAX_FIELDS) {
      fieldStarts[count] = fieldStart;
      fieldEnds[count] = end;
    }
    return count + 1;
  }

  private describeColumn(column: number): string {
    const name = this.layout.columnNames[column];
    return name === undefined ? `column ${column + 1}` : `column ${column + 1} (${name})`;
  }

  /** Lists the named columns only, for a line too short to hold them. */
  private describeNamedColumns(): string {
    const names = this.layout.columnNames;
    const known: string[] = [];
    for (let column = 0; column < names.length; column++) {
      if (names[column] !== undefined) known.push(`${column + 1}: ${names[column]}`);
    }
    return `${this.layout.description}, columns ${known.join(', ')}`;
  }

  /** Lists every one of the expected columns, with runs of unread ones as "ignored" ("4-6: ignored"). */
  private describeAllColumns(): string {
    const names = this.layout.columnNames;
    const parts: string[] = [];
    let column = 0;
    while (column < this.columnCount) {
      const name = names[column];
      if (name !== undefined) {
        parts.push(`${column + 1}: ${name}`);
        column++;
        continue;
      }
      const first = column;
      while (column < this.columnCount && names[column] === undefined) column++;
      parts.push(column - first === 1 ? `${first + 1}: ignored` : `${first + 1}-${column}: ignored`);
    }
    return `${this.layout.description}, columns ${parts.join(', ')}`;
  }
}

/** Throws for `lineNumber` whatever the skip policy: used for lines that decide the whole file's layout. */
function rejectLineAlways(target: ParseTarget, lineNumber: number, problem: string, details: Record<string, unknown> = {}): never {
  throw lineError(target.path, lineNumber, problem, details);
}

function matchesAt(bytes: Buffer, position: number, end: number, delimiter: Uint8Array): boolean {
  if (position + delimiter.length > end) return false;
  for (let k = 1; k < delimiter.length; k++) {
    if (bytes[position + k] !== delimiter[k]) return false;
  }
  return true;
}

function isBlank(bytes: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    if (bytes[i] !== SPACE && bytes[i] !== TAB) return false;
  }
  return true;
}
