import { describe, expect, it } from 'vitest';
import { IdMap } from '../../src/csr/id-map.js';
import { InputError } from '../../src/errors.js';

describe('IdMap', () => {
  it('constructor keeps the first index of repeated ids', () => {
    const map = new IdMap(['a', 'b', 'a', 7]);
    expect(map.size).toBe(3);
    expect(map.find('a')).toBe(0);
    expect(map.find(7)).toBe(2);
    expect(map.toArray()).toEqual(['a', 'b', '7']);
  });
});

describe('IdMap.fromUnique', () => {
  it('maps id k to index k', () => {
    const map = IdMap.fromUnique(['x', 'y', 'z']);
    expect(map.size).toBe(3);
    expect(map.find('y')).toBe(1);
    expect(map.idAt(2)).toBe('z');
    expect(map.indexOf('x')).toBe(0);
    expect(map.find('w')).toBeUndefined();
  });

  it('finds numbers by their string form', () => {
    const map = IdMap.fromUnique(['10', '20']);
    expect(map.find(20)).toBe(1);
  });

  it('matches the constructor on distinct ids', () => {
    const ids = Array.from({ length: 1000 }, (_, index) => `user-${index * 7919}`);
    const bulk = IdMap.fromUnique(ids.slice());
    const built = new IdMap(ids);
    expect(bulk.toArray()).toEqual(built.toArray());
    for (const id of ids) expect(bulk.find(id)).toBe(built.find(id));
  });

  it('keeps appending after a bulk build', () => {
    const map = IdMap.fromUnique(['a', 'b']);
    expect(map.add('b')).toBe(1);
    expect(map.add('c')).toBe(2);
    expect(map.find('c')).toBe(2);
    expect(map.size).toBe(3);
  });

  it('builds an empty map', () => {
    expect(IdMap.fromUnique([]).size).toBe(0);
  });

  it('rejects repeated ids, naming the first', () => {
    let error: unknown;
    try {
      IdMap.fromUnique(['a', 'b', 'c', 'b', 'a']);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe('duplicate_id');
    expect((error as InputError).message).toMatchInlineSnapshot(`"id "a" occurs at index 0 and at index 4 (2 duplicate ids in all); ids must be unique"`);
  });
});
