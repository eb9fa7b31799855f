// The record that `osusume bench` prints as a report and writes with --json. Field meanings are
// documented in docs/bench.md.

import type { BackendInfo } from '../backends/backend.js';

export interface MetricsAtK {
  precision: number;
  map: number;
  ndcg: number;
  auc: number;
  recall: number;
}

export interface BenchRecord {
  /** Schema version of this record. */
  version: 1;
  /** ISO 8601 time the run started. */
  startedAt: string;
  node: string;
  data: {
    /** File path, "train+test" paths, or "synthetic (scale S)". */
    source: string;
    format: string;
    weighting: 'bm25' | 'tfidf' | 'none';
    users: number;
    items: number;
    /** Stored (user, item) pairs after duplicates are summed and zeros dropped. */
    interactions: number;
    trainInteractions: number;
    testInteractions: number;
    /** Users with at least one held-out interaction: the users the metrics count. */
    testUsers: number;
    /** Input lines read per second while loading (absent for synthetic data). */
    linesPerSecond?: number;
  };
  model: {
    factors: number;
    iterations: number;
    regularization: number;
    alpha: number;
    solver: 'cg' | 'cholesky';
    cgSteps: number;
    seed: number;
  };
  device: BackendInfo & { requested: string; reason: string };
  timings: {
    loadSeconds: number;
    weightSeconds: number;
    splitSeconds: number;
    fitSeconds: number;
    /** Wall time of each iteration, in order. */
    iterationSeconds: number[];
    /** Time to recommend k items for every test user in batches, already-liked items filtered. */
    recommendAllSeconds: number;
    recommendAllUsersPerSecond: number;
    /** Latency of one model.recommend() call, sampled over `singleUserSamples` users. */
    singleUserP50Ms: number;
    singleUserP99Ms: number;
    singleUserSamples: number;
  };
  k: number;
  metrics: MetricsAtK;
  /** The same metrics for a most-popular ranking of the same split. */
  baseline: MetricsAtK;
  /** Training loss per iteration, when --loss was given. */
  loss?: number[];
  /** Peak resident set size of the process over the whole run. */
  peakRssBytes: number;
}
