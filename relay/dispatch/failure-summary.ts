import { RelayError, type UpstreamError } from '../core/errors.js';
import type { AttemptRecord } from '../core/relay-service.js';
import type { RouteEntry } from '../routing/route-entry.js';
import { sampleOutcome } from './attempt-outcome.js';

type FailureOutcome = Exclude<AttemptRecord['outcome'], 'ok'>;

/** An attempt's outcome, as the request log and the final error message name it. */
export function describeFailure(error: UpstreamError): { outcome: FailureOutcome; status?: number; message: string } {
  return { outcome: sampleOutcome(error), ...(error.upstreamStatus === undefined ? {} : { status: error.upstreamStatus }), message: error.message };
}

const MAX_LISTED = 8;

/**
 * The error a client gets when no candidate answered: the most telling status (429 with a
 * Retry-After when everything was rate-limited, 504 when time ran out, 503 when upstreams were
 * overloaded, else 502) and a message naming what was tried.
 */
export function summarizeFailures(
  attempts: readonly AttemptRecord[],
  candidates: readonly RouteEntry[],
  soonestRetryMs: number | undefined,
  deadlineHit: boolean,
): RelayError {
  const failures = attempts.filter((attempt) => attempt.outcome !== 'ok');
  const outcomes = new Set(failures.map((attempt) => attempt.outcome));
  const tried = failures
    .slice(0, MAX_LISTED)
    .map((attempt) => `${attempt.provider}/${attempt.model}${attempt.keyLabel ? ` (key ${attempt.keyLabel})` : ''}: ${attempt.message ?? attempt.outcome}`);
  if (failures.length > MAX_LISTED) tried.push(`and ${failures.length - MAX_LISTED} more`);
  const list = tried.length > 0 ? ` Tried: ${tried.join('; ')}` : '';
  const attemptsCopy = [...attempts];

  // Dead keys say nothing about when to come back; if every other failure was a rate limit and a
  // key will come back, the client should wait for it (429), not give up (502).
  const besidesDeadKeys = [...outcomes].filter((outcome) => outcome !== 'auth' && outcome !== 'payment');
  const allRateLimited = soonestRetryMs !== undefined && besidesDeadKeys.every((outcome) => outcome === 'rate-limited');
  if (allRateLimited) {
    const retryAfterMs = Math.max(1000, soonestRetryMs ?? 1000);
    const routes = candidates.length === 1 ? 'The only route is' : `All ${candidates.length} routes are`;
    return new RelayError(`${routes} rate-limited; retry in ${Math.ceil(retryAfterMs / 1000)} s.${list}`, {
      status: 429,
      kind: 'rate-limited',
      code: 'rate_limit_exceeded',
      retryable: true,
      retryAfterMs,
      attempts: attemptsCopy,
    });
  }
  if (deadlineHit || (outcomes.size === 1 && outcomes.has('timeout'))) {
    return new RelayError(`No upstream answered in time.${list}`, { status: 504, kind: 'deadline', code: 'timeout', retryable: true, attempts: attemptsCopy });
  }
  // Before the key check: with no attempt at all, "every key was rejected" would be vacuously true.
  if (failures.length === 0) {
    return new RelayError('No usable key or route is left for this model.', { status: 503, kind: 'overloaded', code: 'no_route_available', attempts: attemptsCopy });
  }
  if ([...outcomes].every((outcome) => outcome === 'auth' || outcome === 'payment')) {
    return new RelayError(
      `Every key that could serve this request was rejected or is out of credit; check them with \`switchboard keys list\`.${list}`,
      { status: 502, kind: 'upstream-auth', code: 'upstream_auth_error', attempts: attemptsCopy },
    );
  }
  const overloaded = failures.every((attempt) => attempt.status === 503 || attempt.status === 529);
  return new RelayError(`Every upstream failed.${list}`, {
    status: overloaded ? 503 : 502,
    kind: overloaded ? 'overloaded' : 'upstream-server',
    code: overloaded ? 'upstream_overloaded' : 'upstream_error',
    retryable: true,
    ...(soonestRetryMs === undefined ? {} : { retryAfterMs: soonestRetryMs }),
    attempts: attemptsCopy,
  });
}
