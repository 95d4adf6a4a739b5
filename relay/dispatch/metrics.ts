import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { QosSample } from '../routing/qos-tracker.js';
import { routeId, type RouteEntry } from '../routing/route-entry.js';
import type { RouteView } from './routing-engine.js';
import type { RequestRecord } from './usage-log.js';

/**
 * Prometheus metrics for `/metrics`: requests, attempts, failovers, cooldowns, probes and time to
 * first token per route. One registry per relay, so several relays in one process stay apart.
 */
export class RelayMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({ name: 'switchboard_requests_total', help: 'Finished client requests.', labelNames: ['wire', 'endpoint', 'outcome'], registers: [this.registry] });
  private readonly attempts = new Counter({ name: 'switchboard_attempts_total', help: 'Upstream attempts by provider and outcome.', labelNames: ['provider', 'outcome'], registers: [this.registry] });
  private readonly failovers = new Counter({ name: 'switchboard_failovers_total', help: 'Attempts beyond the first within one request.', registers: [this.registry] });
  private readonly cooldowns = new Counter({ name: 'switchboard_cooldowns_total', help: 'Keys put to rest after a rate limit.', labelNames: ['provider'], registers: [this.registry] });
  private readonly probes = new Counter({ name: 'switchboard_probes_total', help: 'Background measurement requests.', labelNames: ['provider', 'outcome'], registers: [this.registry] });
  private readonly ttft = new Histogram({
    name: 'switchboard_ttft_seconds',
    help: 'Time to first token of live requests, per route.',
    labelNames: ['route'],
    buckets: [0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5, 2, 3, 5, 8, 13, 20, 30],
    registers: [this.registry],
  });

  constructor(views: () => RouteView[]) {
    new Gauge({
      name: 'switchboard_routes',
      help: 'Routes by status.',
      labelNames: ['status'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const view of views()) this.inc({ status: view.status });
      },
    });
  }

  request(record: RequestRecord): void {
    this.requests.inc({ wire: record.clientWire, endpoint: record.endpoint, outcome: record.outcome });
    for (const attempt of record.attempts) {
      this.attempts.inc({ provider: attempt.provider, outcome: attempt.outcome });
      if (attempt.outcome === 'rate-limited') this.cooldowns.inc({ provider: attempt.provider });
    }
    const tried = record.attempts.filter((attempt) => attempt.durationMs > 0 || attempt.outcome === 'ok').length;
    if (tried > 1) this.failovers.inc(tried - 1);
  }

  liveSample(route: RouteEntry, sample: QosSample): void {
    if (sample.outcome === 'ok' && sample.ttftMs !== undefined) this.ttft.observe({ route: routeId(route) }, sample.ttftMs / 1000);
  }

  probe(route: RouteEntry, sample: QosSample): void {
    this.probes.inc({ provider: route.providerId, outcome: sample.outcome });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
