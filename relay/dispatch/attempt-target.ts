import { RelayError, UpstreamError } from '../core/errors.js';
import type { RouteInfo } from '../core/relay-service.js';
import type { PoolKey } from '../keys/key-pool.js';
import type { HttpClient } from '../providers/http-client.js';
import type { ProviderContext } from '../providers/provider.js';
import type { RouteEntry } from '../routing/route-entry.js';
import { runtimeContext, type ProviderRuntime } from './provider-directory.js';
import type { CancelSignal } from '../core/cancellation.js';

/** One attempt's destination: a route, its provider and the key it uses (none for keyless local servers). */
export interface AttemptTarget {
  route: RouteEntry;
  runtime: ProviderRuntime;
  key: PoolKey | undefined;
}

/** A timer reason recognisable after an abort. */
export class AttemptTimeout extends Error {
  constructor(readonly phase: 'first-token' | 'idle' | 'deadline') {
    super(phase);
  }
}

export function routeInfo(target: AttemptTarget): RouteInfo {
  return { provider: target.route.providerId, model: target.route.model, ...(target.key ? { keyLabel: target.key.label } : {}) };
}

export function providerContext(target: AttemptTarget, signal: CancelSignal, http: HttpClient, onResponseHeaders?: (headers: Record<string, string>) => void): ProviderContext {
  return runtimeContext(target.runtime, target.key, signal, http, onResponseHeaders);
}

/**
 * Whatever an attempt threw, as an UpstreamError that says what it means for failover;
 * `deadline` is set once the total deadline has run out.
 */
export function asUpstreamError(thrown: unknown, target: AttemptTarget, deadline: AttemptTimeout | undefined): UpstreamError {
  const base = { provider: target.route.providerId, model: target.route.model, ...(target.key ? { keyLabel: target.key.label } : {}) };
  if (thrown instanceof UpstreamError) return thrown;
  if (thrown instanceof AttemptTimeout || deadline !== undefined) {
    const phase = thrown instanceof AttemptTimeout ? thrown.phase : (deadline as AttemptTimeout).phase;
    return new UpstreamError(
      phase === 'deadline' ? `${target.route.providerId}: the relay's total deadline ran out.` : `${target.route.providerId}: no first token in time.`,
      { status: 504, kind: 'upstream-timeout', retryable: true, ...base },
    );
  }
  if (thrown instanceof RelayError) {
    return new UpstreamError(thrown.message, { status: thrown.status, kind: thrown.kind, retryable: thrown.retryable, ...base });
  }
  return new UpstreamError(`${target.route.providerId}: ${thrown instanceof Error ? thrown.message : 'unexpected failure'}.`, {
    status: 502,
    kind: 'upstream-network',
    retryable: true,
    cause: thrown,
    ...base,
  });
}
