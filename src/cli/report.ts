// Formats a BenchRecord as the plain-text report that `osusume bench` prints.

import type { BenchRecord, MetricsAtK } from './bench-record.js';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Formats `count` with its noun, plural unless the count is 1: "1 user", "2,000 users". */
function counted(count: number, noun: string): string {
  return `${integer.format(count)} ${noun}${count === 1 ? '' : 's'}`;
}

function seconds(value: number): string {
  return value < 10 ? `${value.toFixed(3)} s` : `${value.toFixed(1)} s`;
}

function milliseconds(value: number): string {
  return value < 10 ? `${value.toFixed(3)} ms` : `${value.toFixed(1)} ms`;
}

/** Returns the median of `values`, or NaN for an empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function metricRows(k: number, model: MetricsAtK, baseline: MetricsAtK): string[] {
  const names: [keyof MetricsAtK, string][] = [
    ['precision', 'precision'],
    ['map', 'MAP'],
    ['ndcg', 'nDCG'],
    ['auc', 'AUC'],
    ['recall', 'recall'],
  ];
  const rows = [`metrics @${k}`.padEnd(18) + 'ALS'.padStart(10) + 'most popular'.padStart(15)];
  for (const [key, label] of names) {
    rows.push(`  ${label}`.padEnd(18) + model[key].toFixed(4).padStart(10) + baseline[key].toFixed(4).padStart(15));
  }
  return rows;
}

/** Renders the report, one line per fact, for a terminal. */
export function formatBenchReport(record: BenchRecord): string {
  const { data, model, device, timings } = record;
  const perIteration = median(timings.iterationSeconds);
  const lines = [
    `osusume bench, started ${record.startedAt} on Node ${record.node}`,
    '',
    `data          ${data.source} (${data.format}, weighting ${data.weighting})`,
    `              ${counted(data.users, 'user')} x ${counted(data.items, 'item')}, ${counted(data.interactions, 'interaction')}`,
    `split         train ${integer.format(data.trainInteractions)}, test ${counted(data.testInteractions, 'interaction')}; ${counted(data.testUsers, 'test user')}`,
    `model         ALS factors=${model.factors} iterations=${model.iterations} regularization=${model.regularization} alpha=${model.alpha} solver=${model.solver === 'cg' ? `cg(${model.cgSteps} steps)` : 'cholesky'} seed=${model.seed}`,
    `device        ${device.description} (requested ${device.requested}; ${device.reason})`,
  ];
  if (device.adapter !== undefined) {
    const adapter = device.adapter;
    lines.push(`adapter       ${[adapter.vendor, adapter.architecture, adapter.device, adapter.description].filter((part) => part !== '').join(' / ')}${adapter.isSoftware ? ' (software)' : ''}`);
  }
  lines.push(
    '',
    'timings',
    `  load          ${seconds(timings.loadSeconds)}${data.linesPerSecond === undefined ? '' : ` (${integer.format(data.linesPerSecond)} lines/s)`}`,
    `  weight+split  ${seconds(timings.weightSeconds + timings.splitSeconds)}`,
    `  fit           ${seconds(timings.fitSeconds)} (${seconds(perIteration)} per iteration, median of ${timings.iterationSeconds.length})`,
    `  recommend all ${seconds(timings.recommendAllSeconds)} (${integer.format(timings.recommendAllUsersPerSecond)} users/s)`,
    timings.singleUserSamples === 0
      ? '  recommend one not measured (--latency-samples 0)'
      : `  recommend one p50 ${milliseconds(timings.singleUserP50Ms)}, p99 ${milliseconds(timings.singleUserP99Ms)} (${counted(timings.singleUserSamples, 'user')})`,
    '',
    ...metricRows(record.k, record.metrics, record.baseline),
  );
  if (record.loss !== undefined && record.loss.length > 0) {
    lines.push('', `training loss ${record.loss.map((value) => value.toExponential(4)).join(', ')}`);
  }
  lines.push('', `peak RSS      ${integer.format(record.peakRssBytes / 1048576)} MiB`);
  return lines.join('\n');
}
