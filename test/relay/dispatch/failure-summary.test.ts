import { describe, expect, it } from 'vitest';
import type { AttemptRecord } from '../../../relay/core/relay-service.js';
import { summarizeFailures } from '../../../relay/dispatch/failure-summary.js';
import type { RouteEntry } from '../../../relay/routing/route-entry.js';

const routes: RouteEntry[] = [
  { providerId: 'a', model: 'm', capabilities: {}, free: true, rank: 0 },
  { providerId: 'b', model: 'm', capabilities: {}, free: true, rank: 1 },
];

function attempt(provider: string, outcome: AttemptRecord['outcome'], extra: Partial<AttemptRecord> = {}): AttemptRecord {
  return { provider, model: 'm', outcome, durationMs: 5, message: `${provider} said ${outcome}`, ...extra };
}

describe('summarizeFailures', () => {
  it('answers 429 with the soonest retry when every attempt was rate-limited, naming each attempt', () => {
    const error = summarizeFailures([attempt('a', 'rate-limited', { keyLabel: 'k1' }), attempt('b', 'rate-limited')], routes, 4200, false);
    expect(error).toMatchObject({ status: 429, kind: 'rate-limited', code: 'rate_limit_exceeded', retryAfterMs: 4200, retryable: true });
    expect(error.message).toContain('All 2 routes are rate-limited; retry in 5 s.');
    expect(error.message).toContain('a/m (key k1): a said rate-limited');
    expect(error.message).toContain('b/m: b said rate-limited');
    expect(error.attempts).toHaveLength(2);
  });

  it('answers 429 when nothing was even tried because every key rests, with at least 1 s', () => {
    const error = summarizeFailures([], routes.slice(0, 1), 300, false);
    expect(error).toMatchObject({ status: 429, retryAfterMs: 1000 });
    expect(error.message).toMatch(/^The only route is rate-limited/);
  });

  it('answers 429 when one route rests and the other has only dead keys: a key will come back', () => {
    const error = summarizeFailures([attempt('b', 'auth', { message: 'every key is disabled', durationMs: 0 })], routes, 12_000, false);
    expect(error).toMatchObject({ status: 429, retryAfterMs: 12_000 });
  });

  it('answers 504 when time ran out or every attempt timed out', () => {
    expect(summarizeFailures([attempt('a', 'timeout'), attempt('b', 'timeout')], routes, undefined, false)).toMatchObject({ status: 504, code: 'timeout' });
    expect(summarizeFailures([attempt('a', 'server')], routes, undefined, true)).toMatchObject({ status: 504 });
  });

  it('answers 502 upstream_auth_error when every key was rejected or out of credit', () => {
    const error = summarizeFailures([attempt('a', 'auth'), attempt('b', 'payment')], routes, undefined, false);
    expect(error).toMatchObject({ status: 502, kind: 'upstream-auth', code: 'upstream_auth_error', retryable: false });
  });

  it('answers 503 when every upstream was overloaded, else 502', () => {
    expect(summarizeFailures([attempt('a', 'server', { status: 503 }), attempt('b', 'server', { status: 529 })], routes, undefined, false)).toMatchObject({
      status: 503,
      code: 'upstream_overloaded',
    });
    expect(summarizeFailures([attempt('a', 'server', { status: 500 }), attempt('b', 'network')], routes, undefined, false)).toMatchObject({
      status: 502,
      code: 'upstream_error',
    });
  });

  it('keeps a known retry time on a mixed failure', () => {
    expect(summarizeFailures([attempt('a', 'rate-limited'), attempt('b', 'server')], routes, 7000, false)).toMatchObject({ status: 502, retryAfterMs: 7000 });
  });

  it('answers 503 when no route or key was usable at all', () => {
    expect(summarizeFailures([], routes, undefined, false)).toMatchObject({ status: 503, code: 'no_route_available' });
  });

  it('lists at most 8 attempts', () => {
    const many = Array.from({ length: 11 }, (_, index) => attempt(`p${index}`, 'server'));
    const error = summarizeFailures(many, routes, undefined, false);
    expect(error.message).toContain('p7/m');
    expect(error.message).not.toContain('p8/m');
    expect(error.message).toContain('and 3 more');
  });
});
