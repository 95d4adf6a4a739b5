/**
 * Quality of service per route (provider, model), from probes and live traffic alike: a ring of
 * recent samples for latency and speed, and time buckets for success rate and uptime over the
 * last hour and day. Pure: the clock is passed in, nothing is read from disk or the network.
 */

export type SampleOutcome = 'ok' | 'rate-limited' | 'auth' | 'request' | 'not-found' | 'server' | 'timeout' | 'network' | 'bad-response';

export interface QosSample {
  at: number;
  source: 'probe' | 'live';
  outcome: SampleOutcome;
  /** Milliseconds from sending the request to the first content event. */
  ttftMs?: number;
  /** Milliseconds from sending the request to the end of the answer. */
  totalMs?: number;
  outputTokens?: number;
  /** Output tokens per second after the first token. */
  tokensPerSecond?: number;
  error?: string;
}

export interface RouteQos {
  samples: number;
  ttftP50Ms?: number;
  ttftP95Ms?: number;
  tokensPerSecond?: number;
  /** Share of successful requests (0..1) over the last hour / day; undefined without traffic. */
  successRate1h?: number;
  successRate24h?: number;
  /** Share of 5-minute buckets with traffic in which at least one request succeeded. */
  uptime1h?: number;
  uptime24h?: number;
  lastOutcome?: SampleOutcome;
  lastSampleAt?: number;
  lastSuccessAt?: number;
  lastError?: { message: string; at: number; outcome: SampleOutcome };
  /** Failures since the last success. */
  consecutiveFailures: number;
  /** Recent TTFTs, oldest first, for sparklines. */
  recentTtftMs: number[];
}

interface Bucket {
  start: number;
  ok: number;
  failed: number;
}

interface RouteState {
  samples: QosSample[];
  buckets: Bucket[];
  lastSuccessAt?: number;
  lastError?: { message: string; at: number; outcome: SampleOutcome };
  consecutiveFailures: number;
  /** The derived figures, valid until the next sample or the next bucket boundary. */
  cached?: { bucket: number; qos: RouteQos };
}

const BUCKET_MS = 5 * 60_000;
const DAY_MS = 24 * 60 * 60_000;
const HOUR_MS = 60 * 60_000;

/**
 * A failure of the route itself. Request errors (a 400 about the prompt) say nothing of its
 * health, and rate limits and rejected keys are the key's trouble: the key pool rests or
 * disables that key, and the route stays as healthy as it was.
 */
export function isRouteFailure(outcome: SampleOutcome): boolean {
  return outcome !== 'ok' && outcome !== 'request' && outcome !== 'rate-limited' && outcome !== 'auth';
}

export interface QosSnapshot {
  version: 1;
  routes: Record<string, { samples: QosSample[]; buckets: Bucket[]; lastSuccessAt?: number; lastError?: RouteState['lastError']; consecutiveFailures: number }>;
}

export class QosTracker {
  private readonly routes = new Map<string, RouteState>();

  constructor(private readonly windowSize = 40) {}

  record(routeKey: string, sample: QosSample): void {
    const state = this.state(routeKey);
    delete state.cached;
    state.samples.push(sample);
    if (state.samples.length > this.windowSize) state.samples.shift();
    const start = sample.at - (sample.at % BUCKET_MS);
    let bucket = state.buckets[state.buckets.length - 1];
    if (!bucket || bucket.start !== start) {
      bucket = { start, ok: 0, failed: 0 };
      state.buckets.push(bucket);
      while (state.buckets.length > 0 && (state.buckets[0]?.start ?? 0) < sample.at - DAY_MS) state.buckets.shift();
    }
    if (sample.outcome === 'ok') {
      bucket.ok++;
      state.lastSuccessAt = sample.at;
      state.consecutiveFailures = 0;
    } else if (isRouteFailure(sample.outcome)) {
      bucket.failed++;
      state.consecutiveFailures++;
      state.lastError = { message: sample.error ?? sample.outcome, at: sample.at, outcome: sample.outcome };
    }
  }

  /**
   * The derived figures of a route. Ranking asks on every request, so they are computed once per
   * new sample (or per five-minute bucket, when the hourly and daily windows move) and cached.
   */
  get(routeKey: string, now: number): RouteQos {
    const state = this.routes.get(routeKey);
    if (!state) return { samples: 0, consecutiveFailures: 0, recentTtftMs: [] };
    const bucket = Math.floor(now / BUCKET_MS);
    if (state.cached?.bucket === bucket) return state.cached.qos;
    const qos = this.derive(state, now);
    state.cached = { bucket, qos };
    return qos;
  }

  private derive(state: RouteState, now: number): RouteQos {
    const okSamples = state.samples.filter((sample) => sample.outcome === 'ok');
    const ttfts = okSamples.map((sample) => sample.ttftMs).filter((value): value is number => value !== undefined);
    const speeds = okSamples.map((sample) => sample.tokensPerSecond).filter((value): value is number => value !== undefined && value > 0);
    const last = state.samples[state.samples.length - 1];
    const qos: RouteQos = {
      samples: state.samples.length,
      consecutiveFailures: state.consecutiveFailures,
      recentTtftMs: ttfts.slice(-20),
    };
    const p50 = percentile(ttfts, 0.5);
    if (p50 !== undefined) qos.ttftP50Ms = p50;
    const p95 = percentile(ttfts, 0.95);
    if (p95 !== undefined) qos.ttftP95Ms = p95;
    const speed = percentile(speeds, 0.5);
    if (speed !== undefined) qos.tokensPerSecond = speed;
    assignRates(qos, state.buckets, now);
    if (last) {
      qos.lastOutcome = last.outcome;
      qos.lastSampleAt = last.at;
    }
    if (state.lastSuccessAt !== undefined) qos.lastSuccessAt = state.lastSuccessAt;
    if (state.lastError) qos.lastError = state.lastError;
    return qos;
  }

  has(routeKey: string): boolean {
    return this.routes.has(routeKey);
  }

  keys(): string[] {
    return [...this.routes.keys()];
  }

  /** Drops a route's history, for routes that stop existing for good (demo mode's). */
  forget(routeKey: string): void {
    this.routes.delete(routeKey);
  }

  snapshot(): QosSnapshot {
    const routes: QosSnapshot['routes'] = {};
    for (const [key, state] of this.routes) {
      routes[key] = {
        samples: state.samples,
        buckets: state.buckets,
        consecutiveFailures: state.consecutiveFailures,
        ...(state.lastSuccessAt === undefined ? {} : { lastSuccessAt: state.lastSuccessAt }),
        ...(state.lastError ? { lastError: state.lastError } : {}),
      };
    }
    return { version: 1, routes };
  }

  /** Restores a snapshot persisted at the last run, so routing starts with what it knew. */
  restore(snapshot: QosSnapshot, now: number): void {
    if (snapshot.version !== 1) return;
    for (const [key, saved] of Object.entries(snapshot.routes)) {
      if (!Array.isArray(saved.samples) || !Array.isArray(saved.buckets)) continue;
      this.routes.set(key, {
        samples: saved.samples.filter(isSample).slice(-this.windowSize),
        buckets: saved.buckets.filter((bucket) => typeof bucket.start === 'number' && bucket.start >= now - DAY_MS),
        consecutiveFailures: typeof saved.consecutiveFailures === 'number' ? saved.consecutiveFailures : 0,
        ...(typeof saved.lastSuccessAt === 'number' ? { lastSuccessAt: saved.lastSuccessAt } : {}),
        ...(saved.lastError ? { lastError: saved.lastError } : {}),
      });
    }
  }

  private state(routeKey: string): RouteState {
    let state = this.routes.get(routeKey);
    if (!state) {
      state = { samples: [], buckets: [], consecutiveFailures: 0 };
      this.routes.set(routeKey, state);
    }
    return state;
  }
}

function isSample(value: unknown): value is QosSample {
  return value !== null && typeof value === 'object' && typeof (value as QosSample).at === 'number' && typeof (value as QosSample).outcome === 'string';
}

function assignRates(qos: RouteQos, buckets: readonly Bucket[], now: number): void {
  for (const [window, rateKey, uptimeKey] of [
    [HOUR_MS, 'successRate1h', 'uptime1h'],
    [DAY_MS, 'successRate24h', 'uptime24h'],
  ] as const) {
    let ok = 0;
    let failed = 0;
    let active = 0;
    let up = 0;
    for (const bucket of buckets) {
      if (bucket.start < now - window) continue;
      ok += bucket.ok;
      failed += bucket.failed;
      if (bucket.ok + bucket.failed > 0) {
        active++;
        if (bucket.ok > 0) up++;
      }
    }
    if (ok + failed > 0) qos[rateKey] = ok / (ok + failed);
    if (active > 0) qos[uptimeKey] = up / active;
  }
}

/** Nearest-rank percentile of unsorted values; undefined for none. */
export function percentile(values: readonly number[], quantile: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(quantile * sorted.length) - 1));
  return sorted[rank];
}
