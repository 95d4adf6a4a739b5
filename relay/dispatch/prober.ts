import type { ChatRequest } from '../core/chat-request.js';
import { UpstreamError } from '../core/errors.js';
import { isContentEvent } from '../core/stream-event.js';
import type { KeyPool, PoolKey } from '../keys/key-pool.js';
import type { QuotaTracker } from '../keys/quota-tracker.js';
import type { HttpClient } from '../providers/http-client.js';
import { parseDurationMs } from '../providers/rate-limit-headers.js';
import { DEFAULT_PROBE_CADENCE, dailyProbeBudget, probeIntervalMs, type ProbeCadence, type ProbeRole } from '../routing/probe-schedule.js';
import type { QosSample, QosTracker } from '../routing/qos-tracker.js';
import { routeId, type RouteEntry } from '../routing/route-entry.js';
import { routeHealth } from '../routing/route-score.js';
import { applyKeyConsequences, sampleOutcome } from './attempt-outcome.js';
import { runtimeContext, type ProviderDirectory } from './provider-directory.js';
import type { CancelSignal } from '../core/cancellation.js';

export interface ProberOptions {
  directory: ProviderDirectory;
  keyPool: KeyPool;
  quotas: QuotaTracker;
  qos: QosTracker;
  http: HttpClient;
  now: () => number;
  random: () => number;
  /** The routes currently competing for first place (route ids), best first. */
  contenders: () => string[];
  /** When the relay last served live traffic; long ago means idle. */
  lastLiveAt: () => number;
  /** How many probes may run at once. */
  concurrency?: number;
  /** How often the scheduler looks for due probes. */
  tickMs?: number;
  /** Per-probe time limit. */
  timeoutMs?: number;
  onProbe?: (route: RouteEntry, sample: QosSample) => void;
  /**
   * The probe settings, read at every scheduling decision so a change applies at the next
   * tick; default: on, with the schedule's built-in cadence.
   */
  settings?: () => ProbeSettings;
}

export interface ProbeSettings extends ProbeCadence {
  /** Background probing; off, only explicit probes (probe now, key tests) run. */
  enabled: boolean;
}

export interface ProbeOptions {
  /** Measure with this key rather than one the pool picks (key tests). */
  key?: PoolKey;
  /** Aborts the probe early (the caller's own deadline). */
  signal?: CancelSignal;
  /** Sends through this client (a key test reads the provider's own error message). */
  http?: HttpClient;
}

interface ProbeState {
  nextAt: number;
  /** When the route was last measured (probe or live traffic), to reschedule on new settings. */
  measuredAt?: number;
  /** Start times of probes in the last 24 hours, for the budget. */
  history: number[];
}

const DAY_MS = 24 * 60 * 60_000;
const IDLE_AFTER_MS = 15 * 60_000;
/**
 * How long live traffic may reuse the contenders the scheduler last computed. Ranking every
 * route after every live request would cost more than the request itself on a large fleet, and
 * the answer only sets when the next probe is due.
 */
const CONTENDERS_REUSE_MS = 1_000;

/** The probe: small, deterministic, enough output to measure speed. */
export const PROBE_REQUEST: Omit<ChatRequest, 'model'> = {
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Count from 1 to 20, separated by spaces. Reply with the numbers only.' }] }],
  maxOutputTokens: 64,
  temperature: 0,
};

/**
 * Measures every servable route in the background with a tiny streamed request, on the cadence
 * of probe-schedule.ts and within each provider's probe budget. Live traffic counts as a
 * measurement too: `noteLive` pushes that route's next probe back.
 */
export class Prober {
  private readonly states = new Map<string, ProbeState>();
  private readonly inFlight = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly controllers = new Set<AbortController>();
  /** The cadence the current schedule was computed with. */
  private cadenceSeen: string | undefined;
  /** The contenders as last computed, for live traffic (see CONTENDERS_REUSE_MS). */
  private recentContenders: { at: number; ids: string[] } | undefined;

  constructor(private readonly options: ProberOptions) {}

  private settings(): ProbeSettings {
    return this.options.settings?.() ?? { enabled: true, ...DEFAULT_PROBE_CADENCE };
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => void this.tick(), this.options.tickMs ?? 2_000);
    this.timer.unref();
    void this.tick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const controller of this.controllers) controller.abort();
  }

  /** A live request measured this route: its next probe can wait a full interval. */
  noteLive(route: RouteEntry): void {
    const state = this.state(routeId(route));
    const now = this.options.now();
    state.measuredAt = now;
    state.nextAt = Math.max(state.nextAt, now + this.interval(route, true));
  }

  /**
   * Measures a provider's routes at the next tick (a key was just added: its routes are new or
   * were waiting for a usable key).
   */
  expedite(providerId: string): void {
    for (const route of this.options.directory.routes()) {
      if (route.providerId === providerId) this.state(routeId(route)).nextAt = 0;
    }
  }

  /** Probes made for a route in the last 24 hours. */
  probesToday(id: string): number {
    const now = this.options.now();
    return (this.states.get(id)?.history ?? []).filter((at) => at > now - DAY_MS).length;
  }

  nextProbeAt(id: string): number | undefined {
    return this.states.get(id)?.nextAt;
  }

  /** The probe budget per day of one route, or undefined for unlimited. */
  budget(route: RouteEntry): number | undefined {
    const runtime = this.options.directory.get(route.providerId);
    const quota = runtime?.freeQuota;
    if (!quota) return undefined;
    const sharing = quota.scope === 'account' ? this.options.directory.routes().filter((other) => other.providerId === route.providerId).length : 1;
    return dailyProbeBudget(quota.requestsPerDay, quota.scope, sharing, this.settings().quotaShare);
  }

  role(route: RouteEntry, reuseContenders = false): ProbeRole {
    const id = routeId(route);
    const now = this.options.now();
    // Health only: deriving the percentiles after every live sample would be wasted here.
    const health = routeHealth(this.options.qos.outcomes(id), now);
    if (health === 'unknown') return 'unknown';
    if (health === 'down' || health === 'recovering') return 'recovering';
    return this.contenders(now, reuseContenders).includes(id) ? 'contender' : 'tail';
  }

  private contenders(now: number, reuse: boolean): string[] {
    const recent = this.recentContenders;
    if (reuse && recent && now - recent.at >= 0 && now - recent.at < CONTENDERS_REUSE_MS) return recent.ids;
    const ids = this.options.contenders();
    this.recentContenders = { at: now, ids };
    return ids;
  }

  private interval(route: RouteEntry, reuseContenders = false): number {
    const { contenderIntervalMs, tailIntervalMs } = this.settings();
    return probeIntervalMs({
      role: this.role(route, reuseContenders),
      idle: this.options.now() - this.options.lastLiveAt() > IDLE_AFTER_MS,
      dailyBudget: this.budget(route),
      random: this.options.random,
      contenderIntervalMs,
      tailIntervalMs,
    });
  }

  /** New cadence settings: every route's next probe counts from its last measurement again. */
  private rescheduleOnNewCadence(routes: readonly RouteEntry[]): void {
    const { contenderIntervalMs, tailIntervalMs, quotaShare } = this.settings();
    const cadence = `${contenderIntervalMs}/${tailIntervalMs}/${quotaShare}`;
    if (this.cadenceSeen === undefined || this.cadenceSeen === cadence) {
      this.cadenceSeen = cadence;
      return;
    }
    this.cadenceSeen = cadence;
    for (const route of routes) {
      const state = this.states.get(routeId(route));
      if (!state || this.inFlight.has(routeId(route))) continue;
      // Never measured: due at once, unless the budget parks it again.
      state.nextAt = state.measuredAt === undefined ? 0 : state.measuredAt + this.interval(route);
    }
  }

  /** One scheduling round: start the most pressing due probes, up to the concurrency limit. */
  async tick(): Promise<void> {
    if (this.stopped || !this.settings().enabled) return;
    const now = this.options.now();
    const routes = this.options.directory.routes();
    this.rescheduleOnNewCadence(routes);
    const due: RouteEntry[] = [];
    for (const route of routes) {
      const id = routeId(route);
      if (this.inFlight.has(id)) continue;
      const state = this.state(id);
      if (state.nextAt > now) continue;
      const budget = this.budget(route);
      state.history = state.history.filter((at) => at > now - DAY_MS);
      if (budget !== undefined && budget <= 0) {
        // A zero share of the free quota: metered routes are measured by live traffic only.
        state.nextAt = now + DAY_MS;
        continue;
      }
      if (budget !== undefined && state.history.length + 1 > Math.max(1, Math.floor(budget))) {
        // Spent: try again when the oldest probe of the day leaves the window.
        state.nextAt = (state.history[0] ?? now) + DAY_MS;
        continue;
      }
      due.push(route);
    }
    // Unmeasured routes first, the most promising (by configured order) first among them.
    due.sort((a, b) => Number(this.role(b) === 'unknown') - Number(this.role(a) === 'unknown') || a.rank - b.rank);
    const free = (this.options.concurrency ?? 2) - this.inFlight.size;
    await Promise.all(due.slice(0, Math.max(0, free)).map((route) => this.probe(route).catch(() => undefined)));
  }

  /** Probes one route now (also used by "probe now" and key tests). */
  async probe(route: RouteEntry, options: ProbeOptions = {}): Promise<QosSample> {
    const { directory, keyPool, quotas, now } = this.options;
    const id = routeId(route);
    const state = this.state(id);
    const runtime = directory.get(route.providerId);
    const started = now();
    state.history.push(started);
    this.inFlight.add(id);
    try {
      if (!runtime) throw new Error(`unknown provider ${route.providerId}`);
      const keys = options.key ? undefined : keyPool.keysFor(route.providerId, route.model, started, true);
      const key: PoolKey | undefined = options.key ?? keys?.usable.find((candidate) => quotas.restUntil(route.providerId, candidate.id, route.model, started) === undefined);
      if (runtime.keyRequired && !key) {
        // Nothing to probe with: come back when a key may be usable again.
        state.history.pop();
        state.nextAt = Math.max(started + 60_000, keys?.cooling[0]?.until ?? 0);
        return { at: started, source: 'probe', outcome: 'rate-limited', error: 'no usable key' };
      }
      const sample = await this.measure(route, runtime, key, options);
      state.measuredAt = now();
      this.options.qos.record(id, sample);
      this.options.onProbe?.(route, sample);
      return sample;
    } finally {
      this.inFlight.delete(id);
      state.nextAt = now() + this.interval(route);
    }
  }

  private async measure(route: RouteEntry, runtime: NonNullable<ReturnType<ProviderDirectory['get']>>, key: PoolKey | undefined, options: ProbeOptions): Promise<QosSample> {
    const { now, keyPool, quotas } = this.options;
    const signal = options.signal;
    const controller = new AbortController();
    this.controllers.add(controller);
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs ?? 30_000);
    const abort = () => controller.abort();
    if (signal?.aborted) controller.abort();
    signal?.addEventListener('abort', abort, { once: true });
    const started = now();
    let firstAt: number | undefined;
    let pieces = 0;
    let outputTokens: number | undefined;
    try {
      const onHeaders = (headers: Record<string, string>) => {
        if (key) quotas.update(route.providerId, key.id, route.model, headers, now(), parseDurationMs);
      };
      const events = runtime.adapter.streamChat({ model: route.model, ...PROBE_REQUEST }, route.model, runtimeContext(runtime, key, controller.signal, options.http ?? this.options.http, onHeaders));
      for await (const event of events) {
        if (event.type === 'error') throw event.error;
        if (firstAt === undefined && isContentEvent(event)) firstAt = now();
        if (event.type === 'text-delta' || event.type === 'reasoning-delta') pieces++;
        if (event.type === 'usage') outputTokens = event.outputTokens;
      }
      const end = now();
      const tokens = outputTokens ?? pieces;
      const sample: QosSample = { at: started, source: 'probe', outcome: 'ok', totalMs: end - started, outputTokens: tokens };
      if (firstAt !== undefined) sample.ttftMs = firstAt - started;
      if (firstAt !== undefined && end > firstAt && tokens > 1) sample.tokensPerSecond = ((tokens - 1) * 1000) / (end - firstAt);
      if (key) keyPool.recordSuccess(route.providerId, key.id);
      return sample;
    } catch (error) {
      const upstream = error instanceof UpstreamError ? error : undefined;
      if (upstream && key) applyKeyConsequences(keyPool, route.providerId, key, upstream, now());
      return {
        at: started,
        source: 'probe',
        outcome: controller.signal.aborted && !upstream ? 'timeout' : upstream ? sampleOutcome(upstream) : 'network',
        error: error instanceof Error ? error.message : String(error),
      };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
      this.controllers.delete(controller);
    }
  }

  private state(id: string): ProbeState {
    let state = this.states.get(id);
    if (!state) {
      state = { nextAt: 0, history: [] };
      this.states.set(id, state);
    }
    return state;
  }
}
