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
  /**
   * The last figures derived, kept across successes of a healthy route for ranking (see
   * `forRanking`); dropped by any other sample.
   */
  recent?: { bucket: number; qos: RouteQos; at: number };
}

const BUCKET_MS = 5 * 60_000;
/** How old the figures ranking uses may be while a healthy route only succeeds. */
const RANKING_REFRESH_MS = 1_000;
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
  /** Scratch space for `derive`, grown to the largest ring seen. */
  private ttfts = new Float64Array(0);
  private speeds = new Float64Array(0);

  constructor(private readonly windowSize = 40) {}

  record(routeKey: string, sample: QosSample): void {
    const state = this.state(routeKey);
    // One more success of a healthy route moves its figures by a fortieth: ranking may go on with
    // the last ones for a moment. Anything else (a failure, the first success after failures)
    // changes its health, which ranking must see at once.
    if (sample.outcome !== 'ok' || state.consecutiveFailures > 0) delete state.recent;
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
    state.recent = { bucket, qos, at: now };
    return qos;
  }

  /**
   * The figures for ranking a request: as `get`, but while a healthy route only keeps
   * succeeding, the figures derived up to a second ago serve, instead of sorting its ring again
   * for every request it serves. A failure or a recovery is seen by the very next request.
   */
  forRanking(routeKey: string, now: number): RouteQos {
    const recent = this.routes.get(routeKey)?.recent;
    if (recent !== undefined && recent.bucket === Math.floor(now / BUCKET_MS) && now - recent.at < RANKING_REFRESH_MS && now >= recent.at) return recent.qos;
    return this.get(routeKey, now);
  }

  private derive(state: RouteState, now: number): RouteQos {
    // One pass over the ring into two reused buffers, each sorted once for all its percentiles:
    // this runs after every live request.
    const samples = state.samples;
    if (this.ttfts.length < samples.length) {
      this.ttfts = new Float64Array(samples.length);
      this.speeds = new Float64Array(samples.length);
    }
    let ttftCount = 0;
    let speedCount = 0;
    for (const sample of samples) {
      if (sample.outcome !== 'ok') continue;
      if (sample.ttftMs !== undefined) this.ttfts[ttftCount++] = sample.ttftMs;
      if (sample.tokensPerSecond !== undefined && sample.tokensPerSecond > 0) this.speeds[speedCount++] = sample.tokensPerSecond;
    }
    const last = samples[samples.length - 1];
    const qos: RouteQos = {
      samples: samples.length,
      consecutiveFailures: state.consecutiveFailures,
      recentTtftMs: Array.from(this.ttfts.subarray(Math.max(0, ttftCount - 20), ttftCount)),
    };
    if (ttftCount > 0) {
      const sorted = this.ttfts.subarray(0, ttftCount).sort();
      qos.ttftP50Ms = sortedPercentile(sorted, 0.5);
      qos.ttftP95Ms = sortedPercentile(sorted, 0.95);
    }
    if (speedCount > 0) qos.tokensPerSecond = sortedPercentile(this.speeds.subarray(0, speedCount).sort(), 0.5);
    assignRates(qos, state.buckets, now);
    if (last) {
      qos.lastOutcome = last.outcome;
      qos.lastSampleAt = last.at;
    }
    if (state.lastSuccessAt !== undefined) qos.lastSuccessAt = state.lastSuccessAt;
    if (state.lastError) qos.lastError = state.lastError;
    return qos;
  }

  /** What health needs (see routeHealth), read without deriving the percentiles. */
  outcomes(routeKey: string): Pick<RouteQos, 'samples' | 'consecutiveFailures' | 'lastError'> {
    const state = this.routes.get(routeKey);
    if (!state) return { samples: 0, consecutiveFailures: 0 };
    return state.lastError
      ? { samples: state.samples.length, consecutiveFailures: state.consecutiveFailures, lastError: state.lastError }
      : { samples: state.samples.length, consecutiveFailures: state.consecutiveFailures };
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
  return sortedPercentile([...values].sort(ascending), quantile);
}

function ascending(a: number, b: number): number {
  return a - b;
}

/** Nearest-rank percentile of values sorted ascending (at least one). */
function sortedPercentile(sorted: ArrayLike<number>, quantile: number): number {
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(quantile * sorted.length) - 1));
  return sorted[rank] as number;
}
