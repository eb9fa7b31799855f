// Maps id bytes read from a file to dense IdMap indices without making a string per line.
// An open-addressing hash table over the raw bytes sits in front of the IdMap. Only the first
// occurrence of a key is decoded from UTF-8 and added to the map.

import type { IdMap } from '../csr/id-map.js';
import type { IdInterner } from './parse-target.js';

const INITIAL_SLOTS = 1 << 12;
const INITIAL_ARENA_BYTES = 1 << 16;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** Marks an empty slot, and the absence of a previous entry. */
const EMPTY = -1;

/** Int32 fields per slot: the key's hash, then its entry number (EMPTY when the slot is free). */
const SLOT_FIELDS = 2;
/** Uint32 fields per entry, adjacent so one cache line serves a lookup: arena offset, byte length, IdMap index. */
const ENTRY_FIELDS = 3;

export class KeyInterner implements IdInterner {
  /**
   * Open-addressing table with linear probing, kept at most half full. Storing the hash beside the
   * entry number lets a probe reject other keys without touching the entry or the arena.
   */
  private slots = newSlots(INITIAL_SLOTS);
  private mask = INITIAL_SLOTS - 1;
  private entryFields = new Uint32Array((INITIAL_SLOTS / 2) * ENTRY_FIELDS);
  private entries = 0;
  private arena = new Uint8Array(INITIAL_ARENA_BYTES);
  private arenaUsed = 0;
  /** Entry of the previous call; files grouped by user repeat the same user key line after line. */
  private previousEntry = EMPTY;
  /** True when the key of the last `intern` call was new to this interner (its first line here). */
  missedCache = false;

  constructor(readonly ids: IdMap) {}

  /** Returns the index of the id spelled by UTF-8 bytes `bytes[start..end)`, adding the id when new. */
  intern(bytes: Uint8Array, start: number, end: number): number {
    const length = end - start;
    this.missedCache = false;
    const previous = this.previousEntry;
    if (previous !== EMPTY && this.matchesEntry(previous, bytes, start, length)) {
      return this.entryFields[previous * ENTRY_FIELDS + 2];
    }

    let hash = FNV_OFFSET;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i], FNV_PRIME);
    hash |= 0;

    const slots = this.slots;
    let slot = hash & this.mask;
    for (;;) {
      const entry = slots[slot * SLOT_FIELDS + 1];
      if (entry === EMPTY) break;
      if (slots[slot * SLOT_FIELDS] === hash && this.matchesEntry(entry, bytes, start, length)) {
        this.previousEntry = entry;
        return this.entryFields[entry * ENTRY_FIELDS + 2];
      }
      slot = (slot + 1) & this.mask;
    }

    const entry = this.insert(bytes, start, end, hash, slot);
    this.previousEntry = entry;
    this.missedCache = true;
    return this.entryFields[entry * ENTRY_FIELDS + 2];
  }

  private matchesEntry(entry: number, bytes: Uint8Array, start: number, length: number): boolean {
    const fields = this.entryFields;
    if (fields[entry * ENTRY_FIELDS + 1] !== length) return false;
    const arena = this.arena;
    const offset = fields[entry * ENTRY_FIELDS];
    for (let i = 0; i < length; i++) {
      if (arena[offset + i] !== bytes[start + i]) return false;
    }
    return true;
  }

  private insert(bytes: Uint8Array, start: number, end: number, hash: number, slot: number): number {
    const length = end - start;
    if (this.arenaUsed + length > this.arena.length) this.growArena(this.arenaUsed + length);
    if ((this.entries + 1) * ENTRY_FIELDS > this.entryFields.length) this.growEntries();

    const entry = this.entries++;
    this.arena.set(bytes.subarray(start, end), this.arenaUsed);
    const base = entry * ENTRY_FIELDS;
    this.entryFields[base] = this.arenaUsed;
    this.entryFields[base + 1] = length;
    this.arenaUsed += length;

    // Distinct byte strings can decode to the same text (invalid UTF-8 becomes U+FFFD); IdMap.add then
    // returns the existing index, so both byte forms map to one id, as the decoded text would.
    this.entryFields[base + 2] = this.ids.add(Buffer.from(bytes.buffer, bytes.byteOffset + start, length).toString('utf8'));

    this.slots[slot * SLOT_FIELDS] = hash;
    this.slots[slot * SLOT_FIELDS + 1] = entry;
    if (this.entries * 2 > this.mask + 1) this.rehash();
    return entry;
  }

  private growArena(minimum: number): void {
    const arena = new Uint8Array(Math.max(minimum, this.arena.length * 2));
    arena.set(this.arena.subarray(0, this.arenaUsed));
    this.arena = arena;
  }

  private growEntries(): void {
    const grown = new Uint32Array(this.entryFields.length * 2);
    grown.set(this.entryFields);
    this.entryFields = grown;
  }

  /** Doubles the slot table and re-inserts every entry. */
  private rehash(): void {
    const old = this.slots;
    const size = (this.mask + 1) * 2;
    this.slots = newSlots(size);
    this.mask = size - 1;
    for (let slot = 0; slot < old.length; slot += SLOT_FIELDS) {
      const entry = old[slot + 1];
      if (entry === EMPTY) continue;
      let target = old[slot] & this.mask;
      while (this.slots[target * SLOT_FIELDS + 1] !== EMPTY) target = (target + 1) & this.mask;
      this.slots[target * SLOT_FIELDS] = old[slot];
      this.slots[target * SLOT_FIELDS + 1] = entry;
    }
  }
}

function newSlots(size: number): Int32Array {
  const slots = new Int32Array(size * SLOT_FIELDS);
  for (let slot = 0; slot < size; slot++) slots[slot * SLOT_FIELDS + 1] = EMPTY;
  return slots;
}
