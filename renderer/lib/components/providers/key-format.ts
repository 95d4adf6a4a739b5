import type { KeyRateLimitView, KeyStateView, KeyTestResponse } from '../../../../relay/admin/dto.js';

/**
 * Model globs as typed in a form: comma- or newline-separated, trimmed, empty entries and
 * repeats dropped. An empty result means "every model".
 */
export function parseModelGlobs(text: string): string[] {
  const globs: string[] = [];
  for (const part of text.split(/[,\n]/)) {
    const glob = part.trim();
    if (glob !== '' && !globs.includes(glob)) globs.push(glob);
  }
  return globs;
}

/** The inverse of {@link parseModelGlobs}, for an edit field. */
export function formatModelGlobs(models: readonly string[] | undefined): string {
  return (models ?? []).join(', ');
}

function clock(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** A key's health in a few words; undefined when the relay has not loaded the key. */
export function keyStateText(state: KeyStateView | undefined): { tone: 'ok' | 'warn' | 'bad'; text: string } | undefined {
  if (!state) return undefined;
  switch (state.status) {
    case 'ok':
      return { tone: 'ok', text: 'ok' };
    case 'cooling':
      return { tone: 'warn', text: `cooling until ${clock(state.until)}${state.reason ? ` (${state.reason})` : ''}` };
    case 'disabled':
      return { tone: 'bad', text: `disabled: ${state.reason}` };
  }
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}

function remaining(left: number | undefined, limit: number | undefined, unit: string): string | undefined {
  if (left === undefined) return undefined;
  return limit === undefined ? `${count(left)} ${unit}` : `${count(left)}/${count(limit)} ${unit}`;
}

/** "12/30 requests, 5,000/6,000 tokens left, resets 14:02:00", or undefined when nothing is known. */
export function rateLimitText(rateLimit: KeyRateLimitView | undefined): string | undefined {
  if (!rateLimit) return undefined;
  const parts = [
    remaining(rateLimit.remainingRequests, rateLimit.limitRequests, 'requests'),
    remaining(rateLimit.remainingTokens, rateLimit.limitTokens, 'tokens'),
  ].filter((part): part is string => part !== undefined);
  if (parts.length === 0) return undefined;
  return `${parts.join(', ')} left${rateLimit.resetAt ? `, resets ${clock(rateLimit.resetAt)}` : ''}`;
}

/** A live key test's outcome in one line, with the provider's own message when it failed. */
export function testResultText(result: KeyTestResponse): string {
  if (result.ok) {
    const found = result.models === undefined ? '' : ` ${result.models} model${result.models === 1 ? '' : 's'} visible.`;
    const probe = result.probe;
    const timing = probe?.ttftMs === undefined ? '' : ` First token from ${probe.model} in ${Math.round(probe.ttftMs)} ms.`;
    return `Works (ok).${found}${timing}`;
  }
  const status = result.status === undefined ? '' : ` (HTTP ${result.status})`;
  return `${result.outcome}${status}: ${result.message}`;
}
