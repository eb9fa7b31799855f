import { describe, expect, it } from 'vitest';
import { IdMap } from '../../src/csr/id-map.js';
import { TripletBuilder } from '../../src/csr/triplet-builder.js';
import { InputError } from '../../src/errors.js';

describe('TripletBuilder', () => {
  it('maps string and number ids in first-seen order', () => {
    const builder = new TripletBuilder();
    builder.add('alice', 10, 2);
    builder.add(7, 'song', 1);
    builder.add('alice', 'song', 4);
    const { userItems, duplicatesSummed } = builder.build();
    expect(builder.userIds.toArray()).toEqual(['alice', '7']);
    expect(builder.itemIds.toArray()).toEqual(['10', 'song']);
    expect(userItems.shape).toEqual([2, 2]);
    expect(userItems.get(0, 0)).toBe(2);
    expect(userItems.get(0, 1)).toBe(4);
    expect(userItems.get(1, 1)).toBe(1);
    expect(duplicatesSummed).toBe(0);
  });

  it('sums duplicate cells and counts them', () => {
    const builder = new TripletBuilder();
    builder.add('u', 'i', 3);
    builder.add('u', 'i', 2);
    builder.add('u', 'j');
    builder.add('u', 'i', 1);
    const { userItems, duplicatesSummed } = builder.build();
    expect(duplicatesSummed).toBe(2);
    expect(userItems.get(0, 0)).toBe(6);
    expect(userItems.get(0, 1)).toBe(1);
    expect(builder.length).toBe(4);
  });

  it('drops zero values without registering ids', () => {
    const builder = new TripletBuilder();
    builder.add('u1', 'i1', 0);
    builder.add('u2', 'i2', 1);
    expect(builder.zeroValuesDropped).toBe(1);
    expect(builder.userIds.toArray()).toEqual(['u2']);
    expect(builder.build().userItems.nnz).toBe(1);
  });

  it('rejects values that are not finite', () => {
    const builder = new TripletBuilder();
    expect(() => builder.add('u', 'i', Number.POSITIVE_INFINITY)).toThrow(InputError);
    expect(() => builder.add('u', 'i', Number.NaN)).toThrow('value NaN for user "u" and item "i" is not finite; expected a finite number');
  });

  it('rejects values that overflow float32', () => {
    const builder = new TripletBuilder();
    expect(() => builder.add('u', 'i', 1e40)).toThrow('value 1e+40 for user "u" and item "i" overflows float32, whose maximum is about 3.4e38; scale the values down');
    expect(builder.length).toBe(0);
  });

  it('names the user and item of a sum that overflows float32', () => {
    const builder = new TripletBuilder();
    builder.add('u1', 'i1', 1);
    builder.add('u2', 'i2', 3e38);
    builder.add('u2', 'i2', 3e38);
    let caught: unknown;
    try {
      builder.build();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InputError);
    const error = caught as InputError;
    expect(error.code).toBe('invalid_triplets');
    expect(error.message).toBe(`the 2 values for user "u2" and item "i2" sum to ${2 * Math.fround(3e38)}, which overflows float32, whose maximum is about 3.4e38; scale the values down`);
    expect(error.details.where).toBe('user "u2" and item "i2"');
  });

  it('grows past its initial capacity', () => {
    const builder = new TripletBuilder({ initialCapacity: 16 });
    for (let k = 0; k < 1000; k++) builder.add(`u${k % 7}`, `i${k % 13}`, 1);
    const { userItems, duplicatesSummed } = builder.build();
    expect(userItems.nnz).toBe(7 * 13);
    expect(duplicatesSummed).toBe(1000 - 91);
    let total = 0;
    for (const value of userItems.data) total += value;
    expect(total).toBe(1000);
  });

  it('shares id maps between two builders', () => {
    const userIds = new IdMap();
    const itemIds = new IdMap();
    const train = new TripletBuilder({ userIds, itemIds });
    const test = new TripletBuilder({ userIds, itemIds });
    train.add('a', 'x');
    test.add('b', 'x');
    test.add('a', 'y');
    const shape: [number, number] = [userIds.size, itemIds.size];
    expect(train.build(shape).userItems.shape).toEqual([2, 2]);
    const testMatrix = test.build(shape).userItems;
    expect(testMatrix.get(1, 0)).toBe(1);
    expect(testMatrix.get(0, 1)).toBe(1);
  });

  it('accepts a larger shape and rejects a smaller one', () => {
    const builder = new TripletBuilder();
    builder.add('a', 'x');
    builder.add('b', 'y');
    expect(builder.build([4, 3]).userItems.shape).toEqual([4, 3]);
    expect(() => builder.build([1, 2])).toThrow(
      'shape [1, 2] is smaller than the 2 user ids and 2 item ids collected; pass a shape of at least [2, 2] or none',
    );
  });

  it('appends batches as addIndices calls would, across regrowth', () => {
    const ids = Array.from({ length: 50 }, (_, k) => `id ${k}`);
    const one = new TripletBuilder({ userIds: new IdMap(ids), itemIds: new IdMap(ids), initialCapacity: 16 });
    const batched = new TripletBuilder({ userIds: new IdMap(ids), itemIds: new IdMap(ids), initialCapacity: 16 });
    for (const count of [3, 0, 100, 64, 63, 1]) {
      const users = Uint32Array.from({ length: count + 5 }, (_, k) => (k * 7) % 50);
      const items = Uint32Array.from({ length: count + 5 }, (_, k) => (k * 11 + count) % 50);
      const values = Float32Array.from({ length: count + 5 }, (_, k) => 1 + (k % 4) / 4);
      for (let k = 0; k < count; k++) one.addIndices(users[k], items[k], values[k]);
      batched.addBatch(users, items, values, count);
    }
    expect(batched.length).toBe(one.length);
    const expected = one.build().userItems;
    const actual = batched.build().userItems;
    expect(Array.from(actual.indptr)).toEqual(Array.from(expected.indptr));
    expect(Array.from(actual.indices)).toEqual(Array.from(expected.indices));
    expect(Array.from(actual.data)).toEqual(Array.from(expected.data));
  });
});
