import type { ChatRequest } from '../core/chat-request.js';
import type { CandidateExplanation, RoutingDecision } from '../core/relay-service.js';
import type { Config } from '../config/schema.js';
import type { KeyPool, PoolKey } from '../keys/key-pool.js';
import type { QuotaTracker } from '../keys/quota-tracker.js';
import { canonicalGroup } from '../routing/model-groups.js';
import type { QosSample, QosTracker, RouteQos } from '../routing/qos-tracker.js';
import { rankRoutes, type Pin, type RankInput, type Ranking } from '../routing/rank-routes.js';
import { routeId, type RouteEntry } from '../routing/route-entry.js';
import { expectedOutputTokens, priorsFrom, routeHealth, scoreRoute } from '../routing/route-score.js';
import { resolveModel, type Resolution, type Target } from '../routing/select-route.js';
import type { ProviderDirectory } from './provider-directory.js';

export type RouteStatus = 'up' | 'slow' | 'rate-limited' | 'down' | 'key-missing' | 'key-rejected' | 'disabled' | 'unknown';

/** One route as the QoS table shows it. */
export interface RouteView {
  id: string;
  provider: string;
  model: string;
  group: string;
  status: RouteStatus;
  servable: boolean;
  free: boolean;
  contextWindow?: number;
  capabilities: RouteEntry['capabilities'];
  qos: RouteQos;
  score?: number;
  /** When a resting route's first key comes back. */
  restingUntil?: number;
}

export interface RoutingEngineOptions {
  directory: ProviderDirectory;
  keyPool: KeyPool;
  quotas: QuotaTracker;
  qos: QosTracker;
  getConfig: () => Config;
  now: () => number;
  random: () => number;
}

/** The order to try routes in, and why. */
export interface Ranked {
  ordered: RouteEntry[];
  /** How a pin fared, when one applied (known with the order; the response headers say it). */
  pin?: RoutingDecision['pin'];
  /**
   * Why these routes in this order, each with its score and health: built on the first call, from
   * what was known when the routes were ranked. Most requests' explanations are never read, and
   * for a fleet of routes building one is a few hundred objects.
   */
  explain(): RoutingDecision;
}

function explainAsAsked(target: string, candidates: readonly RouteEntry[]): () => RoutingDecision {
  return once(() => ({ target, candidates: candidates.map((route) => ({ route: routeId(route) })) }));
}

function once(build: () => RoutingDecision): () => RoutingDecision {
  let decision: RoutingDecision | undefined;
  return () => (decision ??= build());
}

const AFFINITY_TTL_MS = 60 * 60_000;
const MAX_SESSIONS = 10_000;
/** A route is "slow" when its median first token takes this many times the best route's. */
const SLOW_FACTOR = 2;

/**
 * The stateful side of routing: QoS per route, session affinity, the last winner per id, and
 * which keys may be used now. The decisions themselves are the pure functions of relay/routing.
 */
export class RoutingEngine {
  private readonly sessions = new Map<string, { route: string; at: number }>();

  constructor(private readonly options: RoutingEngineOptions) {}

  /** Keys of a route that may be used now: not cooling, not disabled, not about to run dry. */
  usableKeys(route: RouteEntry, needTokens = 0, rotate = false): { usable: PoolKey[]; restingUntil: number | undefined; disabled: number } {
    const now = this.options.now();
    const keys = this.options.keyPool.keysFor(route.providerId, route.model, now, rotate);
    const usable: PoolKey[] = [];
    let restingUntil = keys.cooling[0]?.until;
    for (const key of keys.usable) {
      const until = this.options.quotas.restUntil(route.providerId, key.id, route.model, now, needTokens);
      if (until === undefined) usable.push(key);
      else restingUntil = Math.min(restingUntil ?? Infinity, until);
    }
    return { usable, restingUntil, disabled: keys.disabled.length };
  }

  /** Whether a route has nothing to call it with right now. */
  resting(route: RouteEntry): boolean {
    const runtime = this.options.directory.get(route.providerId);
    if (!runtime) return true;
    if (!this.options.keyPool.hasKeys(route.providerId)) return runtime.keyRequired;
    return this.usableKeys(route).usable.length === 0;
  }

  /**
   * Orders a resolution's candidates. Exact routes are taken as asked; groups, shared ids and
   * virtual ids are ranked by measured speed and health, and only virtual ids follow the pin. A
   * lone candidate has no order to work out: what its explanation will need is noted, and the
   * rest waits until the explanation is read.
   */
  rank(resolution: Extract<Resolution, { kind: 'routes' }>, request: ChatRequest | undefined, sessionId: string | undefined, explore = true): Ranked {
    // The explanations are kept with the request log for its whole life: they are built by the
    // methods below, whose closures hold what they need and not the request (its whole prompt).
    const target = describeTarget(resolution.target);
    const candidates = resolution.candidates;
    if (resolution.target.kind === 'route') return { ordered: candidates, explain: explainAsAsked(target, candidates) };
    const now = this.options.now();
    const config = this.options.getConfig();
    const maxOutputTokens = request?.maxOutputTokens;
    const lone = candidates.length === 1 ? candidates[0] : undefined;
    if (lone && !this.pinFor(resolution, config)) {
      return { ordered: candidates, explain: this.explainLone(resolution, lone, maxOutputTokens, now, config, target) };
    }
    const ranking = this.order(resolution, maxOutputTokens, sessionId, explore, now, config);
    return { ordered: ranking.ordered, ...(ranking.pin ? { pin: ranking.pin } : {}), explain: once(() => this.explain(ranking, target)) };
  }

  /** A lone route's explanation, from its measurements and key state now, worked out when read. */
  private explainLone(
    resolution: Extract<Resolution, { kind: 'routes' }>,
    route: RouteEntry,
    maxOutputTokens: number | undefined,
    now: number,
    config: Config,
    target: string,
  ): () => RoutingDecision {
    const qos = this.options.qos.forRanking(routeId(route), now);
    const resting = this.resting(route);
    const known = { qos: () => qos, resting: () => resting };
    return once(() => this.explain(this.order(resolution, maxOutputTokens, undefined, false, now, config, known), target));
  }

  private pinFor(resolution: Extract<Resolution, { kind: 'routes' }>, config: Config): Pin | undefined {
    const pinSetting = config.routing.pin;
    if (resolution.target.kind !== 'virtual' || pinSetting === null) return undefined;
    return resolution.target.id === 'auto-fastest' || pinSetting.aliases ? { kind: pinSetting.kind, target: pinSetting.target } : undefined;
  }

  private order(
    resolution: Extract<Resolution, { kind: 'routes' }>,
    maxOutputTokens: number | undefined,
    sessionId: string | undefined,
    explore: boolean,
    now: number,
    config: Config,
    known?: Pick<RankInput, 'qos' | 'resting'>,
  ): Ranking & { affinity?: string } {
    const virtual = resolution.target.kind === 'virtual';
    const pin = this.pinFor(resolution, config);
    const session = sessionId ? this.sessions.get(sessionId) : undefined;
    const affinity = session && now - session.at < AFFINITY_TTL_MS ? session.route : undefined;
    // `fast` wants the first token soonest: rank as if the answer were short.
    const outputTokens = resolution.target.kind === 'virtual' && resolution.target.id === 'fast' ? 16 : expectedOutputTokens(maxOutputTokens);
    const ranking = rankRoutes({
      candidates: resolution.candidates,
      qos: known?.qos ?? ((route) => this.options.qos.forRanking(routeId(route), now)),
      resting: known?.resting ?? ((route) => this.resting(route)),
      now,
      expectedOutputTokens: outputTokens,
      ...(pin ? { pin } : {}),
      ...(affinity ? { affinity } : {}),
      random: this.options.random,
      explorationRate: virtual && explore ? config.routing.exploration : 0,
    });
    return affinity ? { ...ranking, affinity } : ranking;
  }

  private explain(ranking: Ranking & { affinity?: string }, target: string): RoutingDecision {
    const candidates: CandidateExplanation[] = ranking.explanation.map((entry) => {
      const explanation: CandidateExplanation = {
        route: routeId(entry.route),
        score: Math.round(entry.score.score),
        health: entry.resting ? 'resting' : entry.score.health,
      };
      if (entry.qos.ttftP50Ms !== undefined) explanation.ttftP50Ms = Math.round(entry.qos.ttftP50Ms);
      if (entry.qos.tokensPerSecond !== undefined) explanation.tokensPerSecond = Math.round(entry.qos.tokensPerSecond);
      if (entry.note) explanation.note = entry.note;
      else if (entry.resting) explanation.note = 'skipped first: no usable key right now';
      else if (entry.score.health === 'down') explanation.note = 'held back: failed recently';
      return explanation;
    });
    const decision: RoutingDecision = { target, candidates };
    if (ranking.pin) decision.pin = ranking.pin;
    if (ranking.explored) decision.explored = ranking.explored;
    if (ranking.affinity && ranking.ordered[0] && routeId(ranking.ordered[0]) === ranking.affinity) decision.affinity = true;
    return decision;
  }

  /** Remembers which route served a conversation, for session affinity. */
  noteWinner(route: RouteEntry, sessionId: string | undefined): void {
    const id = routeId(route);
    if (sessionId) {
      this.sessions.delete(sessionId);
      this.sessions.set(sessionId, { route: id, at: this.options.now() });
      if (this.sessions.size > MAX_SESSIONS) {
        const oldest = this.sessions.keys().next().value;
        if (oldest !== undefined) this.sessions.delete(oldest);
      }
    }
  }

  /** What a plain request for `auto-fastest` would go to right now (no exploration), and why. */
  choice(): { route: string; decision: RoutingDecision } | undefined {
    const config = this.options.getConfig();
    const resolution = resolveModel('auto-fastest', this.options.directory.routes(), { policy: config.routing.policy, bans: config.routing.bans });
    if (resolution.kind !== 'routes') return undefined;
    // Show the deliberate choice: exploration is a coin toss, not a decision.
    const { ordered, explain } = this.rank(resolution, undefined, undefined, false);
    const first = ordered.find((route) => !this.resting(route));
    return first ? { route: routeId(first), decision: explain() } : undefined;
  }

  record(route: RouteEntry, sample: QosSample): void {
    this.options.qos.record(routeId(route), sample);
  }

  /** The routes competing for first place (best first), for the prober's cadence. */
  contenders(count = 3): string[] {
    const now = this.options.now();
    const routes = this.options.directory.routes().filter((route) => route.capabilities.embeddings !== true);
    const qosList = routes.map((route) => this.options.qos.get(routeId(route), now));
    const priors = priorsFrom(qosList);
    return routes
      .map((route, index) => ({ route, score: scoreRoute(qosList[index] as RouteQos, { now, expectedOutputTokens: 400, ...priors }) }))
      .filter((entry) => entry.score.measured && entry.score.health === 'up')
      .sort((a, b) => a.score.score - b.score.score)
      .slice(0, count)
      .map((entry) => routeId(entry.route));
  }

  /** Every model of every provider, servable or not, with its QoS and status. */
  views(): RouteView[] {
    const now = this.options.now();
    const { directory, keyPool } = this.options;
    const servable = new Map(directory.routes().map((route) => [routeId(route), route]));
    const servableQos = [...servable.values()].map((route) => this.options.qos.get(routeId(route), now));
    const priors = priorsFrom(servableQos);
    const best = Math.min(...servableQos.map((qos) => qos.ttftP50Ms ?? Infinity));
    const views: RouteView[] = [];
    for (const runtime of directory.list()) {
      const providerStatus = directory.status(runtime);
      for (const model of directory.modelsOf(runtime)) {
        const id = `${runtime.id}/${model.id}`;
        const route = servable.get(id);
        const qos = this.options.qos.get(id, now);
        let status: RouteStatus;
        let restingUntil: number | undefined;
        if (providerStatus === 'disabled') status = 'disabled';
        else if (providerStatus === 'needs-key') status = 'key-missing';
        else if (!route) status = 'unknown';
        else {
          const keys = keyPool.keysFor(runtime.id, model.id, now);
          const usable = this.usableKeys(route);
          const health = routeHealth(qos, now);
          if (keyPool.hasKeys(runtime.id) && keys.usable.length === 0 && keys.cooling.length === 0) status = 'key-rejected';
          else if (keyPool.hasKeys(runtime.id) && usable.usable.length === 0) {
            status = 'rate-limited';
            restingUntil = usable.restingUntil;
          } else if (health === 'down' || health === 'recovering') status = 'down';
          else if (health === 'unknown') status = 'unknown';
          else status = qos.ttftP50Ms !== undefined && Number.isFinite(best) && qos.ttftP50Ms > best * SLOW_FACTOR ? 'slow' : 'up';
        }
        const view: RouteView = {
          id,
          provider: runtime.id,
          model: model.id,
          group: canonicalGroup(model.id),
          status,
          servable: route !== undefined,
          free: route?.free ?? model.free ?? runtime.free,
          capabilities: model.capabilities ?? {},
          qos,
        };
        if (model.contextWindow !== undefined) view.contextWindow = model.contextWindow;
        if (route) view.score = Math.round(scoreRoute(qos, { now, expectedOutputTokens: 400, ...priors }).score);
        if (restingUntil !== undefined) view.restingUntil = restingUntil;
        views.push(view);
      }
    }
    return views;
  }
}

/**
 * A conversation's identity when the client sends none: the asked model, the system prompt and
 * the first user message, which every later turn of the same conversation repeats. Keeping
 * those turns on one route keeps the provider's prompt cache warm.
 */
export function conversationKey(request: ChatRequest): string | undefined {
  let system: string | undefined;
  let user: Extract<ChatRequest['messages'][number], { role: 'user' }> | undefined;
  for (const message of request.messages) {
    if (message.role === 'system') system ??= message.content;
    else if (message.role === 'user') user ??= message;
    if (system !== undefined && user !== undefined) break;
  }
  if (!user) return undefined;
  // Hashed piece by piece, as if joined with NULs (no string of the prompt is built for it).
  const hash = new Hash64();
  hash.add(request.model, Infinity).add('\u0000', 1).add(system ?? '', IDENTITY_CHARS).add('\u0000', 1);
  let budget = IDENTITY_CHARS;
  for (const part of user.content) {
    if (budget <= 0) break;
    const text = part.type === 'text' ? part.text : '[image]';
    hash.add(text, budget);
    budget -= text.length;
  }
  return `conversation:${hash.digest()}`;
}

/** How much of the system prompt and of the first user message names a conversation. */
const IDENTITY_CHARS = 4_000;

/**
 * A 64-bit hash of a string, as 16 hex digits: two multiplicative lanes over the UTF-16 code
 * units. The key only keeps a conversation on its route, so it needs spread, not secrecy; a
 * native SHA-256 measured about 20 µs per request on a cold path (mostly crossing into C++ and
 * setting up the digest), several times this loop over a typical prompt.
 */
export function hash64(text: string): string {
  return new Hash64().add(text, Infinity).digest();
}

class Hash64 {
  private a = 0xdeadbeef;
  private b = 0x41c6ce57;

  /** Adds at most the first `limit` code units of `text`. */
  add(text: string, limit: number): this {
    let a = this.a;
    let b = this.b;
    const end = Math.min(text.length, limit);
    for (let index = 0; index < end; index++) {
      const unit = text.charCodeAt(index);
      a = Math.imul(a ^ unit, 2654435761);
      b = Math.imul(b ^ unit, 1597334677);
    }
    this.a = a;
    this.b = b;
    return this;
  }

  digest(): string {
    let a = this.a;
    let b = this.b;
    a = Math.imul(a ^ (a >>> 16), 2246822507) ^ Math.imul(b ^ (b >>> 13), 3266489909);
    b = Math.imul(b ^ (b >>> 16), 2246822507) ^ Math.imul(a ^ (a >>> 13), 3266489909);
    return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
  }
}

function describeTarget(target: Target): string {
  if (target.kind === 'virtual') return `virtual:${target.id}${target.modifiers.length > 0 ? `+${target.modifiers.join('+')}` : ''}`;
  return `${target.kind}:${target.id}`;
}

