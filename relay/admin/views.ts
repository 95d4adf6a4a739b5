import type { ProviderDirectory, ProviderStatus } from '../dispatch/provider-directory.js';
import { decisionOf, type RequestRecord } from '../dispatch/usage-log.js';
import type { KeyPool, KeyState } from '../keys/key-pool.js';
import type { QuotaState, QuotaTracker } from '../keys/quota-tracker.js';
import type { RouteEntry } from '../routing/route-entry.js';
import type { RoutingDecision } from '../core/relay-service.js';
import type { RouteView } from '../dispatch/routing-engine.js';
import type { KeyRateLimitView, KeyStateView, KeyView, ModelView, ProviderView, QosRouteView, RequestView, RoutingDecisionView } from './dto.js';
import type { CatalogEntry } from './operations.js';

/**
 * Admin DTOs built from the relay's live state (ProviderDirectory, KeyPool, UsageLog). Shared by
 * the admin routes and the offline CLI, which builds a ProviderDirectory of its own.
 */

export const PROVIDER_STATUSES: readonly ProviderStatus[] = ['ready', 'needs-key', 'disabled', 'not-detected', 'no-models'];

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function keyStateView(state: KeyState | undefined): KeyStateView | undefined {
  if (!state) return undefined;
  switch (state.status) {
    case 'ok':
      return { status: 'ok' };
    case 'cooling':
      return { status: 'cooling', until: iso(state.until), reason: state.reason };
    case 'disabled':
      return { status: 'disabled', reason: state.reason, since: iso(state.since) };
  }
}

export function rateLimitView(quota: QuotaState | undefined): KeyRateLimitView | undefined {
  if (!quota) return undefined;
  const view: KeyRateLimitView = { observedAt: iso(quota.updatedAt) };
  if (quota.remainingRequests !== undefined) view.remainingRequests = quota.remainingRequests;
  if (quota.limitRequests !== undefined) view.limitRequests = quota.limitRequests;
  if (quota.remainingTokens !== undefined) view.remainingTokens = quota.remainingTokens;
  if (quota.limitTokens !== undefined) view.limitTokens = quota.limitTokens;
  // The request window is the one that runs out on free tiers; tokens when only they are known.
  const resetAt = quota.requestsResetAt ?? quota.tokensResetAt;
  if (resetAt !== undefined) view.resetAt = iso(resetAt);
  return view;
}

/**
 * Adds each key's health from the pool (keys the pool does not hold get none) and, given the
 * quota tracker, the rate limit its provider last reported.
 */
export function withKeyStates(keys: readonly KeyView[], keyPool: KeyPool, now: number, quotas?: QuotaTracker): KeyView[] {
  return keys.map((key) => {
    const view: KeyView = { ...key };
    const state = keyStateView(keyPool.state(key.provider, key.id, now));
    if (state) view.state = state;
    const rateLimit = rateLimitView(quotas?.latest(key.provider, key.id));
    if (rateLimit) view.rateLimit = rateLimit;
    return view;
  });
}

/** One view per provider the directory knows, built-in ones first, in catalog order. */
export function providerViews(directory: ProviderDirectory, keys: readonly KeyView[], catalog: readonly CatalogEntry[]): ProviderView[] {
  return directory.list().map((runtime) => {
    const own = keys.filter((key) => key.provider === runtime.id);
    const builtIn = runtime.custom ? undefined : catalog.find((entry) => entry.id === runtime.id);
    const view: ProviderView = {
      id: runtime.id,
      name: runtime.name,
      custom: runtime.custom,
      local: runtime.local,
      status: directory.status(runtime),
      enabled: runtime.enabled,
      keyRequired: runtime.keyRequired,
      keyCount: own.length,
      keys: own,
      baseUrl: runtime.baseUrl,
      keyEnv: [...runtime.keyEnv],
      free: runtime.free,
      modelCount: directory.modelsOf(runtime).length,
    };
    if (builtIn) view.defaultBaseUrl = builtIn.baseUrl;
    if (builtIn?.docsUrl !== undefined) view.docsUrl = builtIn.docsUrl;
    if (runtime.signupUrl !== undefined) view.signupUrl = runtime.signupUrl;
    if (runtime.discoveredAt !== undefined) view.discoveredAt = iso(runtime.discoveredAt);
    if (runtime.discoveryError !== undefined) view.discoveryError = runtime.discoveryError;
    if (runtime.simulated === true) view.simulated = true;
    return view;
  });
}

export function statusCounts(providers: readonly Pick<ProviderView, 'status'>[]): Record<ProviderStatus, number> {
  const counts = Object.fromEntries(PROVIDER_STATUSES.map((status) => [status, 0])) as Record<ProviderStatus, number>;
  for (const provider of providers) counts[provider.status] += 1;
  return counts;
}

export function modelViews(routes: readonly RouteEntry[]): ModelView[] {
  return routes.map((route) => {
    const view: ModelView = {
      id: `${route.providerId}/${route.model}`,
      provider: route.providerId,
      model: route.model,
      capabilities: { ...route.capabilities },
      free: route.free,
    };
    if (route.contextWindow !== undefined) view.contextWindow = route.contextWindow;
    if (route.maxOutputTokens !== undefined) view.maxOutputTokens = route.maxOutputTokens;
    return view;
  });
}

/**
 * A request record as the dashboard sees it: copied field by field, so no body can slip in.
 * Kept bodies are fetched one request at a time; `hasBodies` only says they are there.
 */
export function requestView(record: RequestRecord, hasBodies = false): RequestView {
  const view: RequestView = {
    requestId: record.requestId,
    startedAt: iso(record.startedAt),
    clientWire: record.clientWire,
    endpoint: record.endpoint,
    askedModel: record.askedModel,
    attempts: record.attempts.map((attempt) => ({
      provider: attempt.provider,
      model: attempt.model,
      ...(attempt.keyLabel === undefined ? {} : { keyLabel: attempt.keyLabel }),
      outcome: attempt.outcome,
      ...(attempt.status === undefined ? {} : { status: attempt.status }),
      ...(attempt.message === undefined ? {} : { message: attempt.message }),
      durationMs: attempt.durationMs,
    })),
    outcome: record.outcome,
  };
  if (record.route) {
    view.route = { provider: record.route.provider, model: record.route.model, ...(record.route.keyLabel === undefined ? {} : { keyLabel: record.route.keyLabel }) };
  }
  if (record.ttftMs !== undefined) view.ttftMs = record.ttftMs;
  if (record.durationMs !== undefined) view.durationMs = record.durationMs;
  if (record.usage) {
    const { inputTokens, outputTokens, cachedInputTokens, reasoningTokens } = record.usage;
    view.usage = { inputTokens, outputTokens, ...(cachedInputTokens === undefined ? {} : { cachedInputTokens }), ...(reasoningTokens === undefined ? {} : { reasoningTokens }) };
  }
  if (record.status !== undefined) view.status = record.status;
  if (record.error !== undefined) view.error = record.error;
  const decision = decisionOf(record);
  if (decision) view.decision = decisionView(decision);
  if (hasBodies) view.hasBodies = true;
  return view;
}

export function decisionView(decision: RoutingDecision): RoutingDecisionView {
  const view: RoutingDecisionView = { target: decision.target, candidates: decision.candidates.map((candidate) => ({ ...candidate })) };
  if (decision.pin) view.pin = { ...decision.pin };
  if (decision.explored !== undefined) view.explored = decision.explored;
  if (decision.affinity !== undefined) view.affinity = decision.affinity;
  return view;
}

/** A route's QoS for the dashboard and the CLI: plain data, times as ISO strings. */
export function qosRouteView(route: RouteView, probesToday: number, keys: QosRouteView['keys'] = []): QosRouteView {
  const { qos } = route;
  const view: QosRouteView = {
    id: route.id,
    provider: route.provider,
    model: route.model,
    group: route.group,
    status: route.status,
    servable: route.servable,
    free: route.free,
    capabilities: { ...route.capabilities },
    samples: qos.samples,
    recentTtftMs: qos.recentTtftMs.map((value) => Math.round(value)),
    probesToday,
    keys,
  };
  if (route.contextWindow !== undefined) view.contextWindow = route.contextWindow;
  if (qos.ttftP50Ms !== undefined) view.ttftP50Ms = Math.round(qos.ttftP50Ms);
  if (qos.ttftP95Ms !== undefined) view.ttftP95Ms = Math.round(qos.ttftP95Ms);
  if (qos.tokensPerSecond !== undefined) view.tokensPerSecond = Math.round(qos.tokensPerSecond * 10) / 10;
  if (qos.successRate1h !== undefined) view.successRate1h = qos.successRate1h;
  if (qos.uptime1h !== undefined) view.uptime1h = qos.uptime1h;
  if (qos.uptime24h !== undefined) view.uptime24h = qos.uptime24h;
  if (qos.lastError) view.lastError = { message: qos.lastError.message, at: iso(qos.lastError.at) };
  if (route.score !== undefined) view.score = route.score;
  if (route.restingUntil !== undefined) view.restingUntil = iso(route.restingUntil);
  return view;
}
