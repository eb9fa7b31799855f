// Prometheus metrics of the recommendation server, through prom-client with a registry per server so
// that several servers (or tests) in one process keep separate counts.

import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BatchScorer } from './batcher.js';

/** Latency buckets in seconds: 1 ms to 5 s, dense around the 5-50 ms that scoring takes. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

export class ServeMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'route' | 'method' | 'status'>;
  private readonly latency: Histogram<'route' | 'method'>;
  private readonly batchSize: Histogram<'scorer'>;
  private readonly batchSeconds: Histogram<'scorer'>;
  readonly queued: Gauge;

  constructor(queuedNow: () => number) {
    const registers = [this.registry];
    this.requests = new Counter({ name: 'osusume_http_requests_total', help: 'HTTP requests by route, method and status code', labelNames: ['route', 'method', 'status'], registers });
    this.latency = new Histogram({ name: 'osusume_http_request_duration_seconds', help: 'HTTP request latency from arrival to response', labelNames: ['route', 'method'], buckets: LATENCY_BUCKETS, registers });
    const scorerHelp = ' (scorer: recommend or similar_items)';
    this.batchSize = new Histogram({ name: 'osusume_batch_size', help: `Queries per batched scoring call${scorerHelp}`, labelNames: ['scorer'], buckets: BATCH_BUCKETS, registers });
    this.batchSeconds = new Histogram({
      name: 'osusume_batch_duration_seconds',
      help: `Duration of each batched scoring call${scorerHelp}`,
      labelNames: ['scorer'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.queued = new Gauge({
      name: 'osusume_queue_requests',
      help: 'Recommendation and similar-item requests waiting or being scored',
      registers,
      collect() {
        this.set(queuedNow());
      },
    });
    // Process metrics such as process_resident_memory_bytes and event loop lag.
    collectDefaultMetrics({ register: this.registry });
  }

  /** Records one finished HTTP request. */
  observeRequest(route: string, method: string, status: number, seconds: number): void {
    this.requests.inc({ route, method, status: String(status) });
    this.latency.observe({ route, method }, seconds);
  }

  /** Records one batched scoring call. */
  observeBatch(size: number, seconds: number, scorer: BatchScorer = 'recommend'): void {
    this.batchSize.observe({ scorer }, size);
    this.batchSeconds.observe({ scorer }, seconds);
  }

  /** Renders every metric in the Prometheus text exposition format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
