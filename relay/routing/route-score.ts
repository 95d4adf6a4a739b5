import type { RouteQos } from './qos-tracker.js';

/**
 * How auto-fastest ranks routes: by the time the request is expected to take on each route —
 * time to first token plus the expected output at the route's measured speed — stretched by
 * poor health. Lower is better. Documented in docs/routing.md.
 */

export type RouteHealth = 'up' | 'unknown' | 'recovering' | 'down';

export interface ScoreContext {
  now: number;
  /** Output tokens the request is expected to produce (its max_tokens, bounded). */
  expectedOutputTokens: number;
  /** Used for routes without measurements: the median of measured routes, or defaults. */
  priorTtftMs: number;
  priorTokensPerSecond: number;
}

export interface RouteScore {
  /** Expected milliseconds to the whole answer, before the health factor. */
  expectedMs: number;
  /** ≥ 1; multiplies expectedMs. */
  healthFactor: number;
  score: number;
  health: RouteHealth;
  measured: boolean;
}

/** A failed route is held back this long after its last failure unless it succeeds again. */
export const DOWN_HOLD_MS = 3 * 60_000;

export const DEFAULT_PRIOR_TTFT_MS = 1_500;
export const DEFAULT_PRIOR_TOKENS_PER_SECOND = 60;

export function expectedOutputTokens(maxOutputTokens: number | undefined): number {
  if (maxOutputTokens === undefined) return 400;
  return Math.min(2_000, Math.max(16, maxOutputTokens));
}

export function routeHealth(qos: Pick<RouteQos, 'samples' | 'consecutiveFailures' | 'lastError'>, now: number): RouteHealth {
  if (qos.samples === 0) return 'unknown';
  if (qos.consecutiveFailures > 0 && qos.lastError) {
    return now - qos.lastError.at < DOWN_HOLD_MS ? 'down' : 'recovering';
  }
  return 'up';
}

export function scoreRoute(qos: RouteQos, context: ScoreContext): RouteScore {
  const measured = qos.ttftP50Ms !== undefined;
  // Unmeasured routes are assumed a little worse than a typical measured one, so a known-good
  // route is preferred while the prober measures the new one.
  const ttft = qos.ttftP50Ms ?? context.priorTtftMs * 1.25;
  const speed = qos.tokensPerSecond ?? context.priorTokensPerSecond;
  const expectedMs = ttft + (context.expectedOutputTokens / Math.max(1, speed)) * 1000;
  const health = routeHealth(qos, context.now);
  // Smoothed with one imagined success, so a single failure among few samples is not fatal.
  const success = qos.successRate1h === undefined ? 1 : (qos.successRate1h * qos.samples + 1) / (qos.samples + 1);
  let healthFactor = 1 / Math.max(0.05, success);
  if (health === 'recovering') healthFactor *= 1 + qos.consecutiveFailures;
  // Down routes sort after every other route: they remain a last resort, never a first choice.
  if (health === 'down') healthFactor *= 1_000;
  return { expectedMs, healthFactor, score: expectedMs * healthFactor, health, measured };
}


/** The median TTFT and speed of measured routes, the yardstick for unmeasured ones. */
export function priorsFrom(qosList: readonly RouteQos[]): { priorTtftMs: number; priorTokensPerSecond: number } {
  const ttfts = qosList.map((qos) => qos.ttftP50Ms).filter((value): value is number => value !== undefined);
  const speeds = qosList.map((qos) => qos.tokensPerSecond).filter((value): value is number => value !== undefined);
  return {
    priorTtftMs: median(ttfts) ?? DEFAULT_PRIOR_TTFT_MS,
    priorTokensPerSecond: median(speeds) ?? DEFAULT_PRIOR_TOKENS_PER_SECOND,
  };
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
