import type { UpstreamError } from '../core/errors.js';
import type { KeyPool, PoolKey } from '../keys/key-pool.js';
import type { SampleOutcome } from '../routing/qos-tracker.js';

/** When an upstream says nothing about when to come back after a 429. */
export const DEFAULT_COOLDOWN_MS = 30_000;

/**
 * What a failed upstream answer means for the key that made it: a 429 rests it until the
 * upstream's reset time, a rejection or an empty balance disables it with its reason.
 * Shared by live requests and probes so both teach the key pool the same lessons.
 */
export function applyKeyConsequences(keyPool: KeyPool, providerId: string, key: PoolKey, error: UpstreamError, now: number): void {
  if (error.kind === 'rate-limited') {
    keyPool.coolDown(providerId, key.id, now + (error.retryAfterMs ?? DEFAULT_COOLDOWN_MS), error.message);
  } else if (error.kind === 'upstream-auth' || error.kind === 'upstream-payment') {
    keyPool.disable(providerId, key.id, error.message, now);
  }
}

/** An upstream error as a QoS sample outcome. */
export function sampleOutcome(error: UpstreamError): Exclude<SampleOutcome, 'ok'> {
  switch (error.kind) {
    case 'rate-limited':
      return 'rate-limited';
    case 'upstream-auth':
    case 'upstream-payment':
      return 'auth';
    case 'upstream-request':
    case 'invalid-request':
      return 'request';
    case 'upstream-not-found':
      return 'not-found';
    case 'upstream-timeout':
    case 'deadline':
      return 'timeout';
    case 'upstream-network':
      return 'network';
    case 'upstream-bad-response':
      return 'bad-response';
    default:
      return 'server';
  }
}
