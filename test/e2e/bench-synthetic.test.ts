// The whole `osusume bench` pipeline on a scaled-down synthetic Last.fm-shaped set, on the CPU path.

import { describe, expect, it } from 'vitest';
import { runBench } from '../../src/cli/bench.js';
import { parseBenchFlags } from '../../src/cli/bench-options.js';
import { formatBenchReport } from '../../src/cli/report.js';

describe('bench on synthetic data', () => {
  it('runs every phase at scale 0.05', async () => {
    const flags = parseBenchFlags({
      syntheticScale: '0.05',
      factors: '32',
      iterations: '5',
      device: 'cpu',
      threads: '2',
      latencySamples: '50',
      loss: true,
      progress: false,
    });
    const record = await runBench(flags);

    // Scale 0.05 of 358,868 x 292,385 with 17,535,655 pairs, rounded by the generator.
    expect(record.data.interactions).toBe(Math.round(17_535_655 * 0.05));
    expect(record.data.trainInteractions + record.data.testInteractions).toBe(record.data.interactions);
    expect(record.timings.iterationSeconds).toHaveLength(5);
    expect(record.loss).toHaveLength(5);
    expect(record.timings.singleUserSamples).toBe(50);
    expect(record.device.kind).toBe('cpu');
    expect(record.metrics.precision).toBeGreaterThan(record.baseline.precision);
    expect(record.metrics.ndcg).toBeGreaterThan(record.baseline.ndcg);

    const report = formatBenchReport(record);
    expect(report).toContain('metrics @10');
    expect(report).toContain('peak RSS');
  });

  it('rejects --train without --test', () => {
    expect(() => parseBenchFlags({ train: 'a.tsv' })).toThrowErrorMatchingInlineSnapshot(`[InputError: invalid bench flags: --test is missing: expected --train and --test together]`);
  });

  it('rejects a synthetic scale above 1', () => {
    expect(() => parseBenchFlags({ syntheticScale: '2' })).toThrowErrorMatchingInlineSnapshot(`[InputError: invalid bench flags: --synthetic-scale is "2": expected a number above 0 and at most 1]`);
  });
});
