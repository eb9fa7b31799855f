// Public data sets that the loaders read, with where to get them and their terms of use.
// datasets/catalogue.json is a copy of this list for other tools; a test keeps the two equal.

import type { ResolvedFormat } from './formats.js';

/** A checksum or size that was not confirmed against the publisher's own copy is marked 'unverified'. */
export type Unverified = 'unverified';

export interface DatasetArchive {
  /** Download address as published by the data set's maintainers. */
  url: string;
  /** Size of the archive in bytes. */
  bytes: number | Unverified;
  md5: string | Unverified;
  /** Source of `bytes` and `md5`, and how far they were checked. */
  checksumSource: string;
}

export interface DatasetEntry {
  /** Short name used by the CLI and tests, for example "ml-100k". */
  name: string;
  title: string;
  /** Page that describes the data set. */
  homepage: string;
  archive: DatasetArchive;
  /** Interaction file inside the archive, relative to the archive root. */
  interactionsFile: string;
  format: ResolvedFormat;
  /** MD5 of the interaction file, where the data set's README states it. */
  interactionsFileMd5?: string;
  /** Counts from the publisher's README or, where marked, checked against a copy. */
  counts: { lines?: number; users?: number; items?: number; interactions?: number; note: string };
  /** A summary of the terms of use; the README inside the archive is the authority. */
  licence: string;
}

export const datasetCatalogue: readonly DatasetEntry[] = [
  {
    name: 'lastfm-360k',
    title: 'Last.fm Dataset - 360K users (version 1.2, March 2010)',
    homepage: 'http://ocelma.net/MusicRecommendationDataset/lastfm-360K.html',
    archive: {
      url: 'https://zenodo.org/records/6090214/files/lastfm-dataset-360K.tar.gz',
      bytes: 569202935,
      md5: '635e6ed3fc873aa4ba33aba0ebce02b1',
      checksumSource: 'Zenodo record 10.5281/zenodo.6090214 as quoted by third-party notes; unverified by this project',
    },
    interactionsFile: 'lastfm-dataset-360K/usersha1-artmbid-artname-plays.tsv',
    format: 'lastfm360k',
    interactionsFileMd5: 'be672526eb7c69495c27ad27803148f1',
    counts: {
      lines: 17559530,
      users: 359347,
      note: 'from the data set README, which also counts 186,642 artists with an MBID and 107,373 without',
    },
    licence: 'Distributed with permission of Last.fm for non-commercial use only; commercial use needs an agreement with Last.fm (see the README and the Last.fm API terms).',
  },
  {
    name: 'ml-100k',
    title: 'MovieLens 100K',
    homepage: 'https://grouplens.org/datasets/movielens/100k/',
    archive: {
      url: 'https://files.grouplens.org/datasets/movielens/ml-100k.zip',
      bytes: 'unverified',
      md5: '0e33842e24a9c977be4e0107933c0723',
      checksumSource: 'MD5 as listed in third-party download scripts; unverified against grouplens.org ml-100k.zip.md5',
    },
    interactionsFile: 'ml-100k/u.data',
    format: 'movielens',
    counts: { users: 943, items: 1682, interactions: 100000, note: 'checked against a copy of u.data (SHA-256 06416e59...dca490)' },
    licence:
      'Research use only, no warranty; no endorsement by the University of Minnesota or GroupLens may be implied; publications must cite Harper and Konstan (ACM TiiS 2015); no redistribution without separate permission; no commercial use without permission.',
  },
  {
    name: 'ml-1m',
    title: 'MovieLens 1M',
    homepage: 'https://grouplens.org/datasets/movielens/1m/',
    archive: {
      url: 'https://files.grouplens.org/datasets/movielens/ml-1m.zip',
      bytes: 'unverified',
      md5: 'c4d9eecfca2ab87c1945afe126590906',
      checksumSource: 'MD5 as listed in third-party download scripts; unverified against grouplens.org ml-1m.zip.md5',
    },
    interactionsFile: 'ml-1m/ratings.dat',
    format: 'movielens',
    counts: { users: 6040, interactions: 1000209, note: 'from the GroupLens description; not checked against a copy' },
    licence: 'GroupLens research licence, as for ml-100k (research use, citation, no redistribution or commercial use without permission); not checked against this archive\'s README.',
  },
  {
    name: 'ml-20m',
    title: 'MovieLens 20M',
    homepage: 'https://grouplens.org/datasets/movielens/20m/',
    archive: {
      url: 'https://files.grouplens.org/datasets/movielens/ml-20m.zip',
      bytes: 198702078,
      md5: 'cd245b17a1ae2cc31bb14903e1204af3',
      checksumSource: 'size from the Academic Torrents listing of ml-20m.zip, MD5 from third-party download scripts; both unverified against grouplens.org',
    },
    interactionsFile: 'ml-20m/ratings.csv',
    format: 'movielens',
    counts: { users: 138493, items: 27278, interactions: 20000263, note: 'from the data set README; items counts movies.csv, not only rated movies' },
    licence: 'GroupLens research licence (research use, citation, no endorsement, no commercial use without permission); the redistribution clause was not checked against this archive\'s README.',
  },
  {
    name: 'ml-25m',
    title: 'MovieLens 25M',
    homepage: 'https://grouplens.org/datasets/movielens/25m/',
    archive: {
      url: 'https://files.grouplens.org/datasets/movielens/ml-25m.zip',
      bytes: 'unverified',
      md5: '6b51fb2759a8657d3bfcbfc42b592ada',
      checksumSource: 'MD5 as listed in third-party download scripts; unverified against grouplens.org ml-25m.zip.md5',
    },
    interactionsFile: 'ml-25m/ratings.csv',
    format: 'movielens',
    counts: { users: 162541, items: 62423, interactions: 25000095, note: 'from the data set README' },
    licence:
      'Research use, no warranty; no endorsement may be implied; publications must cite Harper and Konstan (ACM TiiS 2015); no redistribution without separate permission; no commercial use without permission from GroupLens.',
  },
];

/** Returns the catalogue entry called `name`, or undefined. */
export function findDataset(name: string): DatasetEntry | undefined {
  return datasetCatalogue.find((entry) => entry.name === name);
}
