// Id maps over a model file's packed id blob behave as maps built from strings.

import { describe, expect, it } from 'vitest';
import { IdMap } from '../../../src/csr/id-map.js';
import { InputError } from '../../../src/errors.js';
import { encodeIds } from '../../../src/io/model-file/id-blob.js';

function packed(ids: string[]): IdMap | undefined {
  const { offsets, bytes } = encodeIds(ids);
  return IdMap.fromPacked(offsets, bytes);
}

describe('IdMap.fromPacked', () => {
  const cases: Record<string, string[]> = {
    ascii: Array.from({ length: 1000 }, (_, k) => `u${k}`),
    'non-ASCII': ['曲', 'ユーザー1', 'café', '', 'plain', '😀 emoji', 'Ωmega'],
  };
  for (const [name, ids] of Object.entries(cases)) {
    it(`finds every ${name} id and nothing else`, () => {
      const map = packed(ids)!;
      const reference = IdMap.fromUnique([...ids]);
      expect(map.size).toBe(ids.length);
      expect(map.toArray()).toEqual(ids);
      ids.forEach((id, index) => {
        expect(map.find(id)).toBe(index);
        expect(map.indexOf(id, 'item')).toBe(index);
        expect(map.idAt(index)).toBe(id);
      });
      for (const absent of ['u1000', 'caf', 'café!', '曲曲', 'x']) expect(map.find(absent)).toBe(reference.find(absent));
      expect(map.idAt(ids.length)).toBeUndefined();
      expect(map.idAt(-1)).toBeUndefined();
      expect(() => map.indexOf('absent', 'item')).toThrow(InputError);
      expect(() => map.indexOf('absent', 'item')).toThrow(`unknown item id "absent"; it is not among the ${ids.length} item ids of the training data`);
    });
  }

  it('misses strings with lone surrogates', () => {
    const map = packed(['\ufffd', 'a'])!;
    expect(map.find('\ufffd')).toBe(0);
    for (const lone of ['\ud800', '\udc00', 'a\ud83c']) expect(map.find(lone)).toBeUndefined();
  });

  it('finds numbers as their strings', () => {
    const map = packed(['7', '42'])!;
    expect(map.find(42)).toBe(1);
    expect(map.indexOf(7)).toBe(0);
  });

  it('appends after the packed ids', () => {
    const map = packed(['a', 'b'])!;
    expect(map.add('b')).toBe(1);
    expect(map.add('c')).toBe(2);
    expect(map.toArray()).toEqual(['a', 'b', 'c']);
    expect(map.find('a')).toBe(0);
    expect(map.size).toBe(3);
  });

  it('refuses repeated ids and slices that cut a character', () => {
    expect(packed(['a', 'b', 'a'])).toBeUndefined();
    const { bytes } = encodeIds(['曲']);
    expect(IdMap.fromPacked(Uint32Array.of(0, 1, bytes.length), bytes)).toBeUndefined();
    expect(IdMap.fromPacked(Uint32Array.of(0, 2), Uint8Array.of(0xff, 0xfe))).toBeUndefined();
  });

  it('handles an empty list', () => {
    const map = packed([])!;
    expect(map.size).toBe(0);
    expect(map.find('a')).toBeUndefined();
    expect(map.toArray()).toEqual([]);
  });
});
