import type { RelayError } from '../core/errors.js';
import type { AttemptRecord, RouteInfo } from '../core/relay-service.js';
import type { Config } from '../config/schema.js';
import type { KeyPool, PoolKey } from '../keys/key-pool.js';
import { fallbackAction } from '../routing/fallback-policy.js';
import type { QosSample } from '../routing/qos-tracker.js';
import type { RouteEntry } from '../routing/route-entry.js';
import { AbortedError, abortableDelay, linkedCancellation } from '../streams/abort.js';
import { applyKeyConsequences, sampleOutcome } from './attempt-outcome.js';
import { AttemptTimeout, asUpstreamError, routeInfo, type AttemptTarget } from './attempt-target.js';
import { describeFailure, summarizeFailures } from './failure-summary.js';
import type { ProviderDirectory } from './provider-directory.js';
import type { RoutingEngine } from './routing-engine.js';
import type { RequestRecord } from './usage-log.js';
import type { Cancellation, CancelSignal } from '../core/cancellation.js';

export interface FailoverDependencies {
  directory: ProviderDirectory;
  keyPool: KeyPool;
  engine: RoutingEngine;
  now: () => number;
  /** A failed live attempt, as a QoS sample of its route. */
  onFailure: (route: RouteEntry, sample: QosSample) => void;
}

/**
 * The abort controller of one attempt, linked to the client's signal and aborted by the total
 * deadline while the loop runs. The attempt owns it: it calls `dispose` (detaching it from the
 * client) when it is over, which for a committed stream is when the stream ends.
 */
export interface AttemptControl {
  controller: Cancellation;
  dispose: () => void;
}

export interface FailoverResult<T> {
  value: T;
  target: AttemptTarget;
  route: RouteInfo;
  attempts: AttemptRecord[];
}

/**
 * Tries candidates in order until one commits: each usable key of a route before the next route
 * (a 429 or a rejected key moves to the next key; a sick provider or model to the next route; a
 * bad request goes straight back), all inside the total deadline. When every route is resting,
 * waits for the first key to come back if that is soon, once.
 */
export async function runFailover<T>(
  deps: FailoverDependencies,
  candidates: readonly RouteEntry[],
  record: RequestRecord,
  clientSignal: CancelSignal,
  config: Config,
  start: (target: AttemptTarget, control: AttemptControl) => Promise<T>,
): Promise<FailoverResult<T>> {
  const { now, keyPool, directory, engine } = deps;
  const deadline = record.startedAt + config.timeouts.totalMs;
  // No controller of its own: each attempt (and each wait) gets one linked to the client, and
  // the deadline aborts whichever is current. One cancellation fewer per request.
  let expired: AttemptTimeout | undefined;
  let current: Cancellation | undefined;
  const deadlineTimer = setTimeout(() => {
    expired = new AttemptTimeout('deadline');
    current?.abort(expired);
  }, Math.max(0, deadline - now()));
  const stopped = () => expired !== undefined || clientSignal.aborted;
  const control = (): AttemptControl => {
    const link = linkedCancellation(clientSignal);
    if (expired) link.controller.abort(expired);
    current = link.controller;
    return link;
  };
  try {
    for (let round = 0; round < 2; round++) {
      let soonestRest: number | undefined;
      for (const route of candidates) {
        const runtime = directory.get(route.providerId);
        if (!runtime) continue;
        const { usable, restingUntil, disabled } = engine.usableKeys(route, 0, true);
        if (restingUntil !== undefined) soonestRest = Math.min(soonestRest ?? Infinity, restingUntil);
        // Only a provider configured without keys (a local server) is called bare; one whose keys
        // all rest is skipped, or a keyless call would earn a 401 that hides the rate limit.
        const keyless = !runtime.keyRequired && !keyPool.hasKeys(route.providerId);
        const tryKeys: Array<PoolKey | undefined> = usable.length > 0 ? usable : keyless ? [undefined] : [];
        if (tryKeys.length === 0 && restingUntil === undefined && disabled > 0 && round === 0) {
          record.attempts.push({ provider: route.providerId, model: route.model, outcome: 'auth', message: 'every key is disabled', durationMs: 0 });
        }
        for (const key of tryKeys) {
          if (stopped()) break;
          const target: AttemptTarget = { route, runtime, key };
          const started = now();
          try {
            const value = await start(target, control());
            const served = routeInfo(target);
            record.attempts.push({ ...served, outcome: 'ok', durationMs: now() - started });
            if (key) keyPool.recordSuccess(route.providerId, key.id);
            return { value, target, route: served, attempts: record.attempts };
          } catch (thrown) {
            if (clientSignal.aborted) throw new AbortedError();
            const error = asUpstreamError(thrown, target, expired);
            record.attempts.push({ ...routeInfo(target), ...describeFailure(error), durationMs: now() - started });
            deps.onFailure(route, { at: started, source: 'live', outcome: sampleOutcome(error), error: error.message });
            if (fallbackAction(error.kind) === 'give-up') throw withAttempts(error, record.attempts);
            if (key) applyKeyConsequences(keyPool, route.providerId, key, error, now());
            if (key && error.kind === 'rate-limited') {
              soonestRest = Math.min(soonestRest ?? Infinity, now() + (error.retryAfterMs ?? 30_000));
              continue;
            }
            if (key && (error.kind === 'upstream-auth' || error.kind === 'upstream-payment')) continue;
            break; // the provider or model is at fault: the next key would fare no better
          }
        }
        if (stopped()) break;
      }
      const wait = soonestRest === undefined ? undefined : soonestRest - now();
      if (round > 0 || wait === undefined || wait > config.routing.maxRetryWaitMs || now() + wait >= deadline || stopped()) break;
      const waiting = control();
      await abortableDelay(Math.max(0, wait), waiting.controller.signal).catch(() => undefined);
      waiting.dispose();
      if (clientSignal.aborted) throw new AbortedError();
    }
    throw summarizeFailures(record.attempts, candidates, soonestRestMs(engine, candidates, now()), stopped());
  } finally {
    clearTimeout(deadlineTimer);
  }
}

function soonestRestMs(engine: RoutingEngine, candidates: readonly RouteEntry[], now: number): number | undefined {
  let soonest: number | undefined;
  for (const route of candidates) {
    const { restingUntil } = engine.usableKeys(route);
    if (restingUntil !== undefined) soonest = Math.min(soonest ?? Infinity, restingUntil - now);
  }
  return soonest;
}

function withAttempts(error: RelayError, attempts: AttemptRecord[]): RelayError {
  return Object.assign(error, { attempts: [...attempts] });
}
