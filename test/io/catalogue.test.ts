import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { datasetCatalogue, findDataset, interactionFormats } from '../../src/io/index.js';

const datasetsFolder = join(import.meta.dirname, '..', '..', 'datasets');

describe('dataset catalogue', () => {
  it('equals its JSON copy in datasets/', () => {
    const json = JSON.parse(readFileSync(join(datasetsFolder, 'catalogue.json'), 'utf8'));
    expect(json).toEqual(datasetCatalogue);
  });

  it('lists Last.fm 360K and four MovieLens sets', () => {
    expect(datasetCatalogue.map((entry) => entry.name)).toEqual(['lastfm-360k', 'ml-100k', 'ml-1m', 'ml-20m', 'ml-25m']);
    expect(findDataset('ml-100k')?.counts.interactions).toBe(100_000);
    expect(findDataset('nope')).toBeUndefined();
  });

  it('entries have valid addresses and checksums', () => {
    for (const entry of datasetCatalogue) {
      expect(entry.archive.url.startsWith('https://')).toBe(true);
      expect(interactionFormats).toContain(entry.format);
      expect(entry.archive.md5 === 'unverified' || /^[0-9a-f]{32}$/.test(entry.archive.md5)).toBe(true);
      expect(entry.archive.bytes === 'unverified' || (Number.isInteger(entry.archive.bytes) && entry.archive.bytes > 0)).toBe(true);
      expect(entry.licence.length).toBeGreaterThan(20);
    }
  });

  it('keeps samples small and hand-written', () => {
    for (const name of readdirSync(join(datasetsFolder, 'samples'))) {
      const bytes = readFileSync(join(datasetsFolder, 'samples', name)).length;
      expect(bytes, name).toBeLessThan(2048);
    }
  });
});
