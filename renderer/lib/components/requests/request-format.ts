import type { RequestView, RouteView, UsageView } from '../../../../relay/admin/dto.js';

/**
 * How the request log writes times, durations, token counts and outcomes. Pure functions of their
 * arguments (the clock time uses the browser's time zone), so the table and the detail panel
 * agree and the rules are testable without a page.
 */

/** A placeholder for a value the relay did not measure (a request that never reached a first token). */
export const NOTHING = '—';

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/** Local wall-clock time `HH:MM:SS` (24-hour) of an ISO timestamp; the text as is when unparsable. */
export function clockTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/**
 * A duration in milliseconds, short and readable at a glance: `840 ms`, `1.25 s`, `12.4 s`,
 * `2 m 05 s`. Undefined (not measured) or a negative value gives the placeholder.
 */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return NOTHING;
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(Math.floor(ms / 10) / 100).toFixed(2)} s`;
  if (ms < 60_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`;
  const seconds = Math.floor(ms / 1_000);
  return `${Math.floor(seconds / 60)} m ${pad(seconds % 60)} s`;
}

/** A token count: exact below ten thousand (`1,234`), then `12.3k`, then `1.2M`. */
export function formatCount(count: number): string {
  if (!Number.isFinite(count) || count < 0) return NOTHING;
  if (count < 10_000) return Math.round(count).toLocaleString('en-US');
  if (count < 1_000_000) return `${(Math.floor(count / 100) / 10).toFixed(1)}k`;
  return `${(Math.floor(count / 100_000) / 10).toFixed(1)}M`;
}

/** Tokens in and out (`1,234 / 56`), or the placeholder when the upstream reported none. */
export function formatTokens(usage: UsageView | undefined): string {
  if (!usage) return NOTHING;
  return `${formatCount(usage.inputTokens)} / ${formatCount(usage.outputTokens)}`;
}

/** `provider/model`, the id a client may ask for to reach exactly this route. */
export function routeLabel(route: Pick<RouteView, 'provider' | 'model'> | undefined): string {
  return route ? `${route.provider}/${route.model}` : NOTHING;
}

/** Attempts that did not serve the request (the failovers before the one that answered, or all of them). */
export function failedAttempts(request: Pick<RequestView, 'attempts'>): number {
  return request.attempts.filter((attempt) => attempt.outcome !== 'ok').length;
}

export type OutcomeTone = 'ok' | 'bad' | 'warn' | 'neutral';

export function outcomeTone(outcome: RequestView['outcome']): OutcomeTone {
  if (outcome === 'ok') return 'ok';
  if (outcome === 'error') return 'bad';
  if (outcome === 'aborted') return 'warn';
  return 'neutral';
}

/** The status column: the outcome and, when there is one, the HTTP status the client got (`error 502`). */
export function statusText(request: Pick<RequestView, 'outcome' | 'status'>): string {
  return request.status === undefined ? request.outcome : `${request.outcome} ${request.status}`;
}
