// Collects (user, item, value) triplets with external ids into growing typed arrays, then builds the
// users x items CSR matrix. 12 bytes per triplet, no object per triplet.

import { InputError } from '../errors.js';
import { buildCsr } from './build.js';
import type { CsrMatrix } from './csr-matrix.js';
import { type ExternalId, IdMap } from './id-map.js';

const DEFAULT_CAPACITY = 1 << 16;
/** Growth factor of the triplet arrays. With 1.5 the unused slack is at most half the used size (about 100 MB at 17.5M triplets). */
const GROWTH = 1.5;
/** Batches at least this long are copied with TypedArray.set; shorter ones element by element, which skips making three views. */
const BATCH_COPY_MIN = 64;

export interface TripletBuilderOptions {
  /** User ids to extend, for example those of a training file, so two builders share one id space. */
  userIds?: IdMap;
  /** Item ids to extend; see `userIds`. */
  itemIds?: IdMap;
  /** Triplets to make room for up front, to avoid regrowing when the count is known or estimated. */
  initialCapacity?: number;
}

/** The users x items matrix built from the collected triplets. */
export interface TripletBuild {
  userItems: CsrMatrix;
  /** Triplets whose (user, item) cell had already been added, so their value was summed into it. */
  duplicatesSummed: number;
}

/**
 * Accumulates interactions keyed by external user and item ids and builds a CSR matrix from them.
 *
 * @example
 * const builder = new TripletBuilder();
 * builder.add('alice', 'song-1', 3);
 * builder.add('alice', 'song-1', 2); // summed with the line above
 * const { userItems } = builder.build(); // 1 x 1, value 5
 */
export class TripletBuilder {
  readonly userIds: IdMap;
  readonly itemIds: IdMap;
  private userIndices: Uint32Array;
  private itemIndices: Uint32Array;
  private values: Float32Array;
  private count = 0;
  private zeros = 0;

  constructor(options: TripletBuilderOptions = {}) {
    this.userIds = options.userIds ?? new IdMap();
    this.itemIds = options.itemIds ?? new IdMap();
    const capacity = Math.max(16, Math.ceil(options.initialCapacity ?? DEFAULT_CAPACITY));
    this.userIndices = new Uint32Array(capacity);
    this.itemIndices = new Uint32Array(capacity);
    this.values = new Float32Array(capacity);
  }

  /** Triplets collected so far, duplicates included and zero values excluded. */
  get length(): number {
    return this.count;
  }

  /** Zero values dropped so far. They added no triplet and no id. */
  get zeroValuesDropped(): number {
    return this.zeros;
  }

  /**
   * Adds one interaction. A value of 0 is counted in `zeroValuesDropped` and otherwise ignored,
   * so it registers neither id. Negative values are kept (some models read them as dislikes).
   * Throws InputError `invalid_triplets` when `value` is not finite, as a float64 or once stored as float32.
   */
  add(userId: ExternalId, itemId: ExternalId, value = 1): void {
    if (!Number.isFinite(value)) {
      throw new InputError('invalid_triplets', `value ${value} for ${describeIds(userId, itemId)} is not finite; expected a finite number`, {
        received: String(value),
      });
    }
    if (!Number.isFinite(Math.fround(value))) {
      throw new InputError('invalid_triplets', `value ${value} for ${describeIds(userId, itemId)} overflows float32, whose maximum is about 3.4e38; scale the values down`, {
        received: String(value),
        expected: 'a number within about ±3.4e38',
      });
    }
    if (value === 0) {
      this.zeros++;
      return;
    }
    this.addIndices(this.userIds.add(userId), this.itemIds.add(itemId), value);
  }

  /**
   * Adds one interaction by dense indices of `userIds` and `itemIds`, with no checks: the fast path
   * for loaders that have already validated the value and looked the ids up.
   */
  addIndices(userIndex: number, itemIndex: number, value: number): void {
    if (this.count === this.values.length) this.grow(Math.ceil(this.count * GROWTH));
    this.userIndices[this.count] = userIndex;
    this.itemIndices[this.count] = itemIndex;
    this.values[this.count] = value;
    this.count++;
  }

  /**
   * Appends the first `count` entries of three parallel arrays, like `count` addIndices calls: the
   * bulk path for a parser that collects triplets in arrays of its own.
   */
  addBatch(userIndices: Uint32Array, itemIndices: Uint32Array, values: Float32Array, count: number): void {
    if (this.count + count > this.values.length) this.grow(Math.max(this.count + count, Math.ceil(this.count * GROWTH)));
    if (count < BATCH_COPY_MIN) {
      for (let k = 0; k < count; k++) {
        this.userIndices[this.count + k] = userIndices[k];
        this.itemIndices[this.count + k] = itemIndices[k];
        this.values[this.count + k] = values[k];
      }
    } else {
      this.userIndices.set(userIndices.subarray(0, count), this.count);
      this.itemIndices.set(itemIndices.subarray(0, count), this.count);
      this.values.set(values.subarray(0, count), this.count);
    }
    this.count += count;
  }

  /** Records a zero value that the caller dropped itself, so `zeroValuesDropped` stays complete. */
  countDroppedZero(): void {
    this.zeros++;
  }

  /** Makes room for at least `capacity` triplets in total. */
  reserve(capacity: number): void {
    if (capacity > this.values.length) this.grow(Math.ceil(capacity));
  }

  /**
   * Builds the users x items matrix. `shape` defaults to [userIds.size, itemIds.size]; a larger shape
   * is allowed (trailing empty rows or columns), a smaller one throws InputError `csr_shape_mismatch`.
   * Throws InputError `invalid_triplets` naming the user and item when duplicate values sum past the
   * float32 maximum. The builder keeps its triplets, so `build` may be called again after more `add` calls.
   */
  build(shape?: readonly [number, number]): TripletBuild {
    const [nUsers, nItems] = shape ?? [this.userIds.size, this.itemIds.size];
    if (nUsers < this.userIds.size || nItems < this.itemIds.size) {
      throw new InputError(
        'csr_shape_mismatch',
        `shape [${nUsers}, ${nItems}] is smaller than the ${this.userIds.size} user ids and ${this.itemIds.size} item ids collected; pass a shape of at least [${this.userIds.size}, ${this.itemIds.size}] or none`,
        { received: `[${nUsers}, ${nItems}]`, expected: `at least [${this.userIds.size}, ${this.itemIds.size}]` },
      );
    }

    const { matrix, duplicatesSummed } = buildCsr(
      this.userIndices.subarray(0, this.count),
      this.itemIndices.subarray(0, this.count),
      this.values.subarray(0, this.count),
      [nUsers, nItems],
      (user, item) => describeIds(this.userIds.idAt(user), this.itemIds.idAt(item)),
    );
    return { userItems: matrix, duplicatesSummed };
  }

  private grow(capacity: number): void {
    const userIndices = new Uint32Array(capacity);
    userIndices.set(this.userIndices.subarray(0, this.count));
    this.userIndices = userIndices;
    const itemIndices = new Uint32Array(capacity);
    itemIndices.set(this.itemIndices.subarray(0, this.count));
    this.itemIndices = itemIndices;
    const values = new Float32Array(capacity);
    values.set(this.values.subarray(0, this.count));
    this.values = values;
  }
}

function describeIds(userId: ExternalId, itemId: ExternalId): string {
  return `user ${JSON.stringify(String(userId))} and item ${JSON.stringify(String(itemId))}`;
}
