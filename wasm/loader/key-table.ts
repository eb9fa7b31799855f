// A hash table from id bytes to IdMap index, used by the fast path and by KernelKeyInterner in JS.
// JS adds each new key right after adding its id to the IdMap, so a key found here always has its
// index there. Every pointer is a byte offset into this module's own memory.

/**
 * Slots are 16 bytes, so a probe touches one cache line: the key's hash, its IdMap index, the
 * address of its bytes and its length. Probing is linear, and the table is kept at most 3/4
 * full. The hash kept in each slot rejects other keys without reading their bytes, so probes stay
 * cheap, and 360,000 ids take 8 MB of slots rather than the 16 MB of a half-full table.
 */
export const SLOT_BYTES: usize = 16;
const INITIAL_SLOTS: u32 = 1 << 12;
/**
 * Key bytes are kept in blocks of this size that never move, so a slot can point at them directly.
 * Blocks, unlike one arena that doubles, leave no freed copies behind to raise the memory's high-water mark.
 */
const ARENA_BLOCK_BYTES: u32 = 1 << 20;
/** Keys are read 8 bytes at a time, so every key region ends with this much readable slack. */
export const KEY_SLACK: usize = 8;
/** Marks a free slot: no key has length 0, because empty ids never reach the table. */
const FREE: u32 = 0;

// Header of a table, allocated once per table.
const SLOTS = 0;
const MASK = 4;
const COUNT = 8;
const BLOCK = 12;
const BLOCK_USED = 16;
const BLOCK_CAPACITY = 20;
const HEADER_BYTES: usize = 24;

/** Allocates an empty table and returns its header. */
export function newTable(): usize {
  const table = heap.alloc(HEADER_BYTES);
  store<u32>(table + SLOTS, <u32>newSlots(INITIAL_SLOTS));
  store<u32>(table + MASK, INITIAL_SLOTS - 1);
  store<u32>(table + COUNT, 0);
  // No block yet: the first key allocates one.
  store<u32>(table + BLOCK, 0);
  store<u32>(table + BLOCK_USED, 0);
  store<u32>(table + BLOCK_CAPACITY, 0);
  return table;
}

function newSlots(count: u32): usize {
  const bytes = <usize>count * SLOT_BYTES;
  const slots = heap.alloc(bytes);
  memory.fill(slots, 0, bytes);
  return slots;
}

/** Reads the 0 to 7 bytes at `at` as the low bytes of a u64; the bytes past them are readable slack. */
// @ts-ignore: decorator
@inline
function loadTail(at: usize, length: usize): u64 {
  return load<u64>(at) & ((<u64>1 << (<u64>length << 3)) - 1);
}

/** Hashes `length` bytes at `key` 8 at a time; any well-mixed hash works, it never leaves this module. */
export function hashKey(key: usize, length: usize): u32 {
  let h: u64 = 0x9e3779b97f4a7c15 ^ <u64>length;
  const end = key + length;
  let at = key;
  for (; at + 8 <= end; at += 8) {
    h = (h ^ load<u64>(at)) * 0xbf58476d1ce4e5b9;
    h ^= h >> 29;
  }
  if (at < end) {
    h = (h ^ loadTail(at, end - at)) * 0xbf58476d1ce4e5b9;
    h ^= h >> 29;
  }
  h *= 0x94d049bb133111eb;
  return <u32>(h >> 32);
}

/** True when the `length` bytes at `a` and at `b` are equal. */
export function equalBytes(a: usize, b: usize, length: usize): bool {
  let k: usize = 0;
  for (; k + 8 <= length; k += 8) {
    if (load<u64>(a + k) != load<u64>(b + k)) return false;
  }
  return k == length || loadTail(a + k, length - k) == loadTail(b + k, length - k);
}

/** Returns the address of a table's slot array. */
// @ts-ignore: decorator
@inline
export function tableSlots(table: usize): usize {
  return <usize>load<u32>(table + SLOTS);
}

/** Returns a table's slot count minus 1, the mask that wraps probe positions. */
// @ts-ignore: decorator
@inline
export function tableMask(table: usize): u32 {
  return load<u32>(table + MASK);
}

/** Returns the slot holding the key, or the free slot where it would go. */
export function findSlot(table: usize, key: usize, length: u32, hash: u32): usize {
  const slots = <usize>load<u32>(table + SLOTS);
  const mask = load<u32>(table + MASK);
  let index = hash & mask;
  let slot = slots + <usize>index * SLOT_BYTES;
  let slotLength = load<u32>(slot, 12);
  while (slotLength != FREE) {
    if (load<u32>(slot) == hash && slotLength == length && equalBytes(<usize>load<u32>(slot, 8), key, length)) break;
    index = (index + 1) & mask;
    slot = slots + <usize>index * SLOT_BYTES;
    slotLength = load<u32>(slot, 12);
  }
  return slot;
}

/** Returns true when `slot` (from findSlot) contains a key. */
// @ts-ignore: decorator
@inline
export function isOccupied(slot: usize): bool {
  return load<u32>(slot, 12) != FREE;
}

/** Returns the IdMap index stored in an occupied slot. */
// @ts-ignore: decorator
@inline
export function slotIndex(slot: usize): u32 {
  return load<u32>(slot, 4);
}

/** Returns the address of the key bytes of an occupied slot. */
// @ts-ignore: decorator
@inline
export function slotKey(slot: usize): usize {
  return <usize>load<u32>(slot, 8);
}

/** Adds the key with its IdMap index unless it is present. Returns the key's slot. */
export function insertKey(table: usize, key: usize, length: u32, index: u32): usize {
  const hash = hashKey(key, length);
  let slot = findSlot(table, key, length, hash);
  if (isOccupied(slot)) return slot;

  if (load<u32>(table + BLOCK_USED) + length > load<u32>(table + BLOCK_CAPACITY)) startBlock(table, length);
  const used = load<u32>(table + BLOCK_USED);
  const copy = <usize>load<u32>(table + BLOCK) + <usize>used;
  memory.copy(copy, key, length);
  store<u32>(table + BLOCK_USED, used + length);
  store<u32>(slot, hash);
  store<u32>(slot, index, 4);
  store<u32>(slot, <u32>copy, 8);
  store<u32>(slot, length, 12);

  const count = load<u32>(table + COUNT) + 1;
  store<u32>(table + COUNT, count);
  if (count * 4 > (load<u32>(table + MASK) + 1) * 3) {
    rehash(table);
    slot = findSlot(table, key, length, hash);
  }
  return slot;
}

/** Starts a new key block that holds at least `length` bytes; the rest of the old one stays unused. */
function startBlock(table: usize, length: u32): void {
  const capacity = max(length, ARENA_BLOCK_BYTES);
  store<u32>(table + BLOCK, <u32>heap.alloc(<usize>capacity + KEY_SLACK));
  store<u32>(table + BLOCK_USED, 0);
  store<u32>(table + BLOCK_CAPACITY, capacity);
}

/** Doubles the slot array and moves every key into it; the hash kept in each slot spares rehashing. */
function rehash(table: usize): void {
  const oldSlots = <usize>load<u32>(table + SLOTS);
  const oldCount = load<u32>(table + MASK) + 1;
  const count = oldCount * 2;
  const slots = newSlots(count);
  const mask = count - 1;
  for (let k: u32 = 0; k < oldCount; k++) {
    const from = oldSlots + <usize>k * SLOT_BYTES;
    if (load<u32>(from, 12) == FREE) continue;
    let index = load<u32>(from) & mask;
    while (load<u32>(slots + <usize>index * SLOT_BYTES, 12) != FREE) index = (index + 1) & mask;
    memory.copy(slots + <usize>index * SLOT_BYTES, from, SLOT_BYTES);
  }
  heap.free(oldSlots);
  store<u32>(table + SLOTS, <u32>slots);
  store<u32>(table + MASK, mask);
}
