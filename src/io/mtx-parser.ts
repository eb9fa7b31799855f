// Parses MatrixMarket coordinate files ("%%MatrixMarket matrix coordinate real|integer|pattern general"):
// a banner, `%` comments, a size line "rows columns entries", then one 1-based "row column [value]" per line.
// Row i gets the user id String(i) and column j the item id String(j), so ids match the file's numbers.

import { fileError, lineError, quote } from './file-errors.js';
import type { LineVisitor } from './line-reader.js';
import { describeExpectedNumber, describeInvalidNumber, parseIndex, parseNonNegative } from './parse-number.js';
import { type ParseTarget, rejectLine } from './parse-target.js';

type ValueField = 'real' | 'integer' | 'pattern';

const PERCENT = 0x25;
const SPACE = 0x20;
const TAB = 0x09;
/** Fields located per line: row, column, value, and one more to detect extras. */
const MAX_FIELDS = 4;

export class MatrixMarketParser implements LineVisitor {
  private valueField: ValueField | undefined;
  private nRows = -1;
  private nCols = -1;
  private declaredEntries = 0;
  private entries = 0;
  /** Dense user index of each 1-based row number minus one; the id maps may be shared with another file. */
  private rowIndex = new Uint32Array(0);
  private colIndex = new Uint32Array(0);
  private readonly fieldStarts = new Int32Array(MAX_FIELDS);
  private readonly fieldEnds = new Int32Array(MAX_FIELDS);

  constructor(private readonly target: ParseTarget) {}

  /** [rows, columns] from the size line. */
  get shape(): [number, number] {
    return [this.nRows, this.nCols];
  }

  visitLine(bytes: Buffer, start: number, end: number, lineNumber: number): void {
    if (this.valueField === undefined) {
      this.readBanner(bytes.toString('utf8', start, end), lineNumber);
      return;
    }
    const fieldCount = this.splitFields(bytes, start, end);
    if (fieldCount === 0) {
      this.target.stats.blankLines++;
      return;
    }
    if (bytes[this.fieldStarts[0]] === PERCENT) {
      this.target.stats.commentLines++;
      return;
    }
    if (this.nRows < 0) {
      this.readSizeLine(bytes, fieldCount, lineNumber);
      return;
    }
    this.readEntry(bytes, fieldCount, lineNumber);
  }

  /** Checks what only the whole file shows: a banner, a size line, and as many entries as declared. */
  finish(): void {
    const { path } = this.target;
    if (this.valueField === undefined) throw fileError(path, 'file is empty; expected a MatrixMarket banner line');
    if (this.nRows < 0) throw fileError(path, 'no size line "rows columns entries" after the banner; expected one before the entries');
    if (this.entries !== this.declaredEntries) {
      throw fileError(path, `the size line declares ${this.declaredEntries} entries but the file has ${this.entries}; the file may be truncated`, {
        expected: String(this.declaredEntries),
        received: String(this.entries),
      });
    }
  }

  private readBanner(text: string, lineNumber: number): void {
    const tokens = text.trim().toLowerCase().split(/\s+/);
    const fail = (problem: string): never => {
      throw lineError(this.target.path, lineNumber, `${problem}; expected "%%MatrixMarket matrix coordinate real|integer|pattern general"`, { received: text });
    };
    if (tokens[0] !== '%%matrixmarket') fail(`found ${quote(text)} where the MatrixMarket banner belongs`);
    if (tokens[1] !== 'matrix') fail(`object ${quote(tokens[1] ?? '')} is not supported`);
    if (tokens[2] !== 'coordinate') fail(`storage ${quote(tokens[2] ?? '')} is not supported, only sparse coordinate files are`);
    const field = tokens[3];
    if (field !== 'real' && field !== 'integer' && field !== 'pattern') fail(`value field ${quote(field ?? '')} is not supported`);
    if (tokens[4] !== 'general') fail(`symmetry ${quote(tokens[4] ?? '')} is not supported, only general matrices are`);
    this.valueField = field as ValueField;
    this.target.stats.headerLines++;
  }

  private readSizeLine(bytes: Buffer, fieldCount: number, lineNumber: number): void {
    const { fieldStarts, fieldEnds, target } = this;
    const numbers = [0, 1, 2].map((k) => (k < fieldCount ? parseIndex(bytes, fieldStarts[k], fieldEnds[k]) : -1));
    if (fieldCount !== 3 || numbers.some((value) => value < 0)) {
      throw lineError(target.path, lineNumber, `size line ${quote(this.lineText(bytes, fieldCount))} is invalid; expected three non-negative integers "rows columns entries"`);
    }
    [this.nRows, this.nCols, this.declaredEntries] = numbers;
    target.stats.headerLines++;

    this.rowIndex = new Uint32Array(this.nRows);
    for (let row = 0; row < this.nRows; row++) this.rowIndex[row] = target.users.ids.add(String(row + 1));
    this.colIndex = new Uint32Array(this.nCols);
    for (let col = 0; col < this.nCols; col++) this.colIndex[col] = target.items.ids.add(String(col + 1));
    target.builder.reserve(target.builder.length + this.declaredEntries);
  }

  private readEntry(bytes: Buffer, fieldCount: number, lineNumber: number): void {
    const { fieldStarts, fieldEnds, target } = this;
    this.entries++;
    const expectedFields = this.valueField === 'pattern' ? 2 : 3;
    if (fieldCount !== expectedFields) {
      const layout = this.valueField === 'pattern' ? 'row column' : 'row column value';
      rejectLine(target, lineNumber, `found ${fieldCount} fields, expected ${expectedFields} ("${layout}") for a ${this.valueField} matrix`, {
        received: String(fieldCount),
        expected: String(expectedFields),
      });
      return;
    }

    const row = parseIndex(bytes, fieldStarts[0], fieldEnds[0]);
    if (row < 1 || row > this.nRows) {
      rejectLine(target, lineNumber, `row index ${quote(bytes.toString('utf8', fieldStarts[0], fieldEnds[0]))} is not an integer in [1, ${this.nRows}], the rows declared by the size line`);
      return;
    }
    const col = parseIndex(bytes, fieldStarts[1], fieldEnds[1]);
    if (col < 1 || col > this.nCols) {
      rejectLine(target, lineNumber, `column index ${quote(bytes.toString('utf8', fieldStarts[1], fieldEnds[1]))} is not an integer in [1, ${this.nCols}], the columns declared by the size line`);
      return;
    }

    let value = 1;
    if (this.valueField !== 'pattern' && !target.binary) {
      value = parseNonNegative(bytes, fieldStarts[2], fieldEnds[2]);
      const text = () => bytes.toString('utf8', fieldStarts[2], fieldEnds[2]);
      if (value < 0) {
        const expected = describeExpectedNumber(value);
        rejectLine(target, lineNumber, `value ${quote(text())} ${describeInvalidNumber(value)}; expected ${expected}`, { received: text(), expected });
        return;
      }
      if (this.valueField === 'integer' && !Number.isInteger(value)) {
        rejectLine(target, lineNumber, `value ${quote(text())} is not an integer, but the banner declares integer values`, { received: text(), expected: 'an integer' });
        return;
      }
    }
    if (value === 0) {
      target.stats.zeroValuesDropped++;
      target.builder.countDroppedZero();
      return;
    }

    target.builder.addIndices(this.rowIndex[row - 1], this.colIndex[col - 1], value);
    target.stats.rows++;
  }

  /** Splits on runs of spaces and tabs, ignoring leading and trailing ones; returns the field count. */
  private splitFields(bytes: Buffer, start: number, end: number): number {
    let count = 0;
    let i = start;
    while (i < end) {
      while (i < end && (bytes[i] === SPACE || bytes[i] === TAB)) i++;
      if (i === end) break;
      const fieldStart = i;
      while (i < end && bytes[i] !== SPACE && bytes[i] !== TAB) i++;
      if (count < MAX_FIELDS) {
        this.fieldStarts[count] = fieldStart;
        this.fieldEnds[count] = i;
      }
      count++;
    }
    return count;
  }

  private lineText(bytes: Buffer, fieldCount: number): string {
    if (fieldCount === 0) return '';
    return bytes.toString('utf8', this.fieldStarts[0], this.fieldEnds[Math.min(fieldCount, MAX_FIELDS) - 1]);
  }
}
