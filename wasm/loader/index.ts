// Fast path of the delimited-file loader, driven by src/io/kernel-line-loop.ts. It scans whole lines
// of a file with a one-byte delimiter, looks the user and item ids up in the id space's key tables,
// parses plain decimal values, and appends (user, item, value) to output arrays. It stops at any
// line it cannot finish alone, and JS parses that line with the full rules and adds its new ids.
// The module owns its memory, and every pointer is a byte offset into it.

import { equalBytes, findSlot, hashKey, insertKey, isOccupied, KEY_SLACK, newTable, SLOT_BYTES, slotIndex, slotKey, tableMask, tableSlots } from './key-table';

/** Fields whose bounds are kept. Layouts that need a later column use the JS parser alone. */
const MAX_KEPT_FIELDS = 16;
/** Triplets the output arrays hold. JS empties them when they are full and before every line it parses. */
const OUTPUT_CAPACITY: u32 = 1 << 14;
/** float64 represents every integer of up to 15 digits exactly, so digits / 10^k rounds correctly. */
const MAX_FAST_DIGITS = 15;

const NEWLINE: u8 = 0x0a;
const CARRIAGE_RETURN: u8 = 0x0d;
const SPACE: u8 = 0x20;
const TAB: u8 = 0x09;
const HASH: u8 = 0x23;
const DOT: u8 = 0x2e;

const fieldStarts = memory.data(MAX_KEPT_FIELDS * 4);
const fieldEnds = memory.data(MAX_KEPT_FIELDS * 4);
const powersOfTen = memory.data<f64>([1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15]);

/** Lines parsed before their items are looked up together; see scan. */
const BATCH: u32 = 32;
const batchNext = memory.data(BATCH * 4);
const batchUser = memory.data(BATCH * 4);
const batchKey = memory.data(BATCH * 4);
const batchLength = memory.data(BATCH * 4);
const batchHash = memory.data(BATCH * 4);
const batchValue = memory.data(BATCH * 4);
const batchName = memory.data(BATCH * 4);
const batchNameLength = memory.data(BATCH * 4);

/**
 * The line a scan stopped at when that line is valid but brings an id not in the tables yet. JS then
 * adds the ids and the triplet without parsing the line again. The fields are u32 unless noted.
 * In order: the kind (NEW_IDS, or 0 when the stop has another reason) and the next line's start.
 * Then the user index (i32, -1 for a new user) and the addresses and lengths of the user and item
 * keys. Last come the value (f32) and the address and length of the name field.
 */
const pending = memory.data(10 * 4);
const NEW_IDS: u32 = 1;
/** Receives the prefetch loads, so the optimizer keeps them. */
let prefetchSink: u32 = 0;

const users = newTable();
const items = newTable();

let delimiter: u8 = TAB;
let columnCount: i32 = 0;
let userColumn: i32 = 0;
let itemColumn: i32 = 1;
/** Column used when the item column is empty, or -1. */
let fallbackColumn: i32 = -1;
/** Column of the value, or -1 when every line counts 1. */
let valueColumn: i32 = -1;
/** Column of the item's display name, or -1. */
let nameColumn: i32 = -1;

/** The user of the previous line this module accepted: the address of its key bytes, or length 0. */
let previousUserKey: usize = 0;
let previousUserLength: u32 = 0;
let previousUserIndex: u32 = 0;

let input: usize = 0;
let inputCapacity: usize = 0;
const outputUsers = heap.alloc(<usize>OUTPUT_CAPACITY * 4);
const outputItems = heap.alloc(<usize>OUTPUT_CAPACITY * 4);
const outputValues = heap.alloc(<usize>OUTPUT_CAPACITY * 4);
let outputCount: u32 = 0;
let scannedLines: u32 = 0;

/** Sets the layout of the file about to be scanned. Columns are 0-based; -1 means none. */
export function configure(delimiterByte: u8, columns: i32, user: i32, item: i32, fallback: i32, value: i32, name: i32): void {
  nameColumn = name;
  delimiter = delimiterByte;
  columnCount = columns;
  userColumn = user;
  itemColumn = item;
  fallbackColumn = fallback;
  valueColumn = value;
  previousUserLength = 0;
}

/** Bytes readable past the end of the input: line scans read 16 at a time, keys 8. */
const INPUT_SLACK: usize = max(16, KEY_SLACK);

/** Returns the input buffer, grown to hold `bytes` with its first bytes kept. */
export function reserveInput(bytes: usize): usize {
  if (bytes > inputCapacity) {
    input = input == 0 ? heap.alloc(bytes + INPUT_SLACK) : heap.realloc(input, bytes + INPUT_SLACK);
    inputCapacity = bytes;
  }
  return input;
}

export function outputUsersAt(): usize {
  return outputUsers;
}
export function outputItemsAt(): usize {
  return outputItems;
}
export function outputValuesAt(): usize {
  return outputValues;
}
export function outputCapacity(): u32 {
  return OUTPUT_CAPACITY;
}
export function outputLength(): u32 {
  return outputCount;
}
/** Lines accepted by the last scan call. */
export function scannedLineCount(): u32 {
  return scannedLines;
}
/** Empties the output arrays after JS has copied them. */
export function clearOutput(): void {
  outputCount = 0;
}

/**
 * Scans lines starting at `position` until the output is full, a line it cannot finish alone, or a
 * line that runs past `end`. Returns the start of the first line not taken; every line before it
 * was accepted and appended to the output, and scannedLineCount returns how many.
 *
 * Lines go in batches: parse a batch, then look its items up together. Item lookups land at random
 * places of a table larger than the L2 cache. Issuing a batch's loads back to back lets the
 * processor wait for those cache misses in parallel, instead of one line at a time.
 */
export function scan(position: usize, end: usize): usize {
  scannedLines = 0;
  store<u32>(pending, 0);
  let lineStart = position;
  let isBatchFull = true;
  while (isBatchFull) {
    const room = min(BATCH, OUTPUT_CAPACITY - outputCount);
    let parsed: u32 = 0;
    let at = lineStart;
    while (parsed < room) {
      const next = parseLine(at, end, parsed);
      if (next == 0) break;
      at = next;
      parsed++;
    }
    if (parsed == 0) break;

    prefetchItems(parsed);
    const accepted = lookUpItems(parsed);
    scannedLines += accepted;
    if (accepted > 0) lineStart = load<u32>(batchNext + (<usize>(accepted - 1) << 2));
    isBatchFull = accepted == room;
  }
  return lineStart;
}

/** Touches the home slot, and the key bytes it points at, of each item of the batch. */
function prefetchItems(count: u32): void {
  const slots = tableSlots(items);
  const mask = tableMask(items);
  let sink: u32 = 0;
  for (let k: u32 = 0; k < count; k++) sink += load<u32>(slots + <usize>(load<u32>(batchHash + (<usize>k << 2)) & mask) * SLOT_BYTES);
  for (let k: u32 = 0; k < count; k++) {
    const slot = slots + <usize>(load<u32>(batchHash + (<usize>k << 2)) & mask) * SLOT_BYTES;
    sink += load<u8>(slotKey(slot));
  }
  prefetchSink = sink;
}

/** Appends the batch's triplets up to its first unknown item, which it makes the pending line. Returns how many were appended. */
function lookUpItems(count: u32): u32 {
  for (let k: u32 = 0; k < count; k++) {
    const offset = <usize>k << 2;
    const slot = findSlot(items, <usize>load<u32>(batchKey + offset), load<u32>(batchLength + offset), load<u32>(batchHash + offset));
    if (!isOccupied(slot)) {
      const next = load<u32>(batchNext + offset);
      const name = load<u32>(batchName + offset);
      const nameLength = load<u32>(batchNameLength + offset);
      setPending(next, load<i32>(batchUser + offset), 0, 0, load<u32>(batchKey + offset), load<u32>(batchLength + offset), load<f32>(batchValue + offset), name, nameLength);
      return k;
    }
    const out = <usize>outputCount << 2;
    store<u32>(outputUsers + out, load<u32>(batchUser + offset));
    store<u32>(outputItems + out, slotIndex(slot));
    store<f32>(outputValues + out, load<f32>(batchValue + offset));
    outputCount++;
  }
  return count;
}

/** Returns the address of the first newline in [position, end), or -1. */
export function findNewline(position: usize, end: usize): isize {
  for (let at = position; at < end; at++) {
    if (load<u8>(at) == NEWLINE) return at;
  }
  return -1;
}

/**
 * Parses the line at `lineStart` into batch entry `k`, its user already looked up and its item key
 * hashed. Returns the next line's start, or 0 when this module cannot take the line.
 */
function parseLine(lineStart: usize, end: usize, k: u32): usize {
  if (lineStart >= end) return 0;
  const first = load<u8>(lineStart);
  if (first == SPACE || first == TAB || first == HASH || first == NEWLINE || first == CARRIAGE_RETURN) return 0;

  // Files grouped by user repeat the previous user id line after line; matching it skips its bytes.
  let userIndex: i64 = -1;
  let field = 0;
  let fieldStart = lineStart;
  const previousEnd = lineStart + <usize>previousUserLength;
  if (userColumn == 0 && previousUserLength > 0 && previousEnd < end && load<u8>(previousEnd) == delimiter) {
    if (equalBytes(lineStart, previousUserKey, previousUserLength)) {
      userIndex = previousUserIndex;
      keepField(0, lineStart, previousEnd);
      field = 1;
      fieldStart = previousEnd + 1;
    }
  }

  const newline = splitFields(fieldStart, end, field);
  if (newline == 0) return 0;
  let lineEnd = newline;
  if (load<u8>(lineEnd - 1) == CARRIAGE_RETURN) lineEnd--;
  if (lastFieldCount != columnCount) return 0;
  // The CR of a CRLF ending is not part of the last field.
  if (columnCount <= MAX_KEPT_FIELDS) store<u32>(fieldEnds + (<usize>(columnCount - 1) << 2), <u32>lineEnd);

  if (fieldLength(userColumn) == 0) return 0;
  let column = itemColumn;
  if (fieldLength(column) == 0 && fallbackColumn >= 0) column = fallbackColumn;
  const itemLength = <u32>fieldLength(column);
  if (itemLength == 0) return 0;
  let value: f64 = 1;
  if (valueColumn >= 0) {
    value = parsePlainDecimal(fieldStartAt(valueColumn), fieldEndAt(valueColumn));
    if (!(value > 0)) return 0;
  }
  const itemKey = fieldStartAt(column);
  const name = nameColumn >= 0 ? fieldStartAt(nameColumn) : 0;
  const nameLength = nameColumn >= 0 ? <u32>fieldLength(nameColumn) : 0;

  // Only a valid line reaches the user lookup, so a new user makes a pending line that JS can finish without parsing.
  if (userIndex < 0) {
    const found = lookUpField(users, userColumn);
    if (found < 0) {
      const userKey = fieldStartAt(userColumn);
      setPending(<u32>(newline + 1), -1, <u32>userKey, <u32>fieldLength(userColumn), <u32>itemKey, itemLength, <f32>value, <u32>name, nameLength);
      return 0;
    }
    userIndex = found;
  }

  const offset = <usize>k << 2;
  store<u32>(batchNext + offset, <u32>(newline + 1));
  store<u32>(batchUser + offset, <u32>userIndex);
  store<u32>(batchKey + offset, <u32>itemKey);
  store<u32>(batchLength + offset, itemLength);
  store<u32>(batchHash + offset, hashKey(itemKey, itemLength));
  store<f32>(batchValue + offset, <f32>value);
  store<u32>(batchName + offset, <u32>name);
  store<u32>(batchNameLength + offset, nameLength);
  return newline + 1;
}

function setPending(next: u32, userIndex: i32, userKey: u32, userLength: u32, itemKey: u32, itemLength: u32, value: f32, name: u32, nameLength: u32): void {
  store<u32>(pending, NEW_IDS);
  store<u32>(pending, next, 4);
  store<i32>(pending, userIndex, 8);
  store<u32>(pending, userKey, 12);
  store<u32>(pending, userLength, 16);
  store<u32>(pending, itemKey, 20);
  store<u32>(pending, itemLength, 24);
  store<f32>(pending, value, 28);
  store<u32>(pending, name, 32);
  store<u32>(pending, nameLength, 36);
}

/** Returns the address of the pending line's fields; see `pending`. */
export function pendingAt(): usize {
  return pending;
}

/** Fields counted by the last splitFields call. */
let lastFieldCount: i32 = 0;

/**
 * Records field bounds from `fieldStart` (field number `field`) to the newline and returns the
 * newline's address, or 0 when the line runs past `end`. Sets lastFieldCount. Reads 16 bytes at a
 * time and visits only the delimiters and newlines among them; the input has slack past `end`.
 */
function splitFields(fieldStart: usize, end: usize, field: i32): usize {
  const delimiters = i8x16.splat(delimiter);
  const newlines = i8x16.splat(NEWLINE);
  for (let at = fieldStart; at < end; at += 16) {
    const bytes = v128.load(at);
    let hits = i8x16.bitmask(v128.or(i8x16.eq(bytes, delimiters), i8x16.eq(bytes, newlines)));
    while (hits != 0) {
      const position = at + <usize>ctz(hits);
      if (position >= end) return 0;
      if (field < MAX_KEPT_FIELDS) keepField(field, fieldStart, position);
      if (load<u8>(position) == NEWLINE) {
        lastFieldCount = field + 1;
        return position;
      }
      field++;
      fieldStart = position + 1;
      hits &= hits - 1;
    }
  }
  return 0;
}

// @ts-ignore: decorator
@inline
function keepField(field: i32, start: usize, end: usize): void {
  store<u32>(fieldStarts + (<usize>field << 2), <u32>start);
  store<u32>(fieldEnds + (<usize>field << 2), <u32>end);
}

// @ts-ignore: decorator
@inline
function fieldStartAt(column: i32): usize {
  return <usize>load<u32>(fieldStarts + (<usize>column << 2));
}

// @ts-ignore: decorator
@inline
function fieldEndAt(column: i32): usize {
  return <usize>load<u32>(fieldEnds + (<usize>column << 2));
}

// @ts-ignore: decorator
@inline
function fieldLength(column: i32): usize {
  return fieldEndAt(column) - fieldStartAt(column);
}

/** Returns the IdMap index of the key in `column`, or -1 when it is empty or not in `table`. */
function lookUpField(table: usize, column: i32): i64 {
  const start = fieldStartAt(column);
  const length = <u32>(fieldEndAt(column) - start);
  if (length == 0) return -1;
  const slot = findSlot(table, start, length, hashKey(start, length));
  if (!isOccupied(slot)) return -1;
  if (table == users) rememberUser(slot, length);
  return slotIndex(slot);
}

function rememberUser(slot: usize, length: u32): void {
  previousUserKey = slotKey(slot);
  previousUserLength = length;
  previousUserIndex = slotIndex(slot);
}

/**
 * Parses digits with an optional fraction ("31", "4.5", "7.") as the JS parser's fast path does.
 * Returns -1 for anything else, which JS then parses or reports.
 */
function parsePlainDecimal(start: usize, end: usize): f64 {
  let mantissa: u64 = 0;
  let digits = 0;
  let at = start;
  for (; at < end; at++) {
    const digit = <u32>load<u8>(at) - 48;
    if (digit > 9) break;
    mantissa = mantissa * 10 + digit;
    digits++;
  }
  let fractionDigits = 0;
  if (at < end && load<u8>(at) == DOT) {
    for (at++; at < end; at++) {
      const digit = <u32>load<u8>(at) - 48;
      if (digit > 9) break;
      mantissa = mantissa * 10 + digit;
      fractionDigits++;
    }
  }
  const total = digits + fractionDigits;
  if (at != end || total == 0 || total > MAX_FAST_DIGITS) return -1;
  return fractionDigits == 0 ? <f64>mantissa : <f64>mantissa / load<f64>(powersOfTen + (<usize>fractionDigits << 3));
}

/** Returns the user id table, for lookUpKey and addKey. */
export function userTable(): usize {
  return users;
}

/** Returns the item id table, for lookUpKey and addKey. */
export function itemTable(): usize {
  return items;
}

/** Returns the IdMap index of the `length` bytes at `key` in `table`, or -1 when they are new. */
export function lookUpKey(table: usize, key: usize, length: u32): i32 {
  const slot = findSlot(table, key, length, hashKey(key, length));
  return isOccupied(slot) ? <i32>slotIndex(slot) : -1;
}

/** Adds the `length` bytes at `key` to `table` with IdMap index `index`; JS has just added the id to the IdMap. */
export function addKey(table: usize, key: usize, length: u32, index: u32): void {
  insertKey(table, key, length, index);
}

let scratch: usize = 0;
let scratchCapacity: usize = 0;

/** Returns a buffer for a key read outside this memory, grown to hold `bytes`; its content is not kept. */
export function reserveScratch(bytes: usize): usize {
  if (bytes > scratchCapacity) {
    if (scratch != 0) heap.free(scratch);
    scratch = heap.alloc(bytes + INPUT_SLACK);
    scratchCapacity = bytes;
  }
  return scratch;
}
