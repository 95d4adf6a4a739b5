import type { IntegrationState, IntegrationView } from '../../../../relay/admin/dto.js';

/** Badge tones, as Badge.svelte takes them. */
export type StateTone = 'ok' | 'warn' | 'bad' | 'neutral';

const STATE_LABELS: Record<IntegrationState, { text: string; tone: StateTone }> = {
  configured: { text: 'Configured ✓', tone: 'ok' },
  'not-configured': { text: 'Not configured', tone: 'neutral' },
  drift: { text: 'Needs repair', tone: 'warn' },
  invalid: { text: "Can't read", tone: 'bad' },
};

/** The words and colour of a client's state badge. */
export function stateLabel(state: IntegrationState): { text: string; tone: StateTone } {
  return STATE_LABELS[state];
}

/** The port of an origin or base URL (`http://127.0.0.1:4747/v1` → 4747); null when there is none. */
export function portOf(url: string | null | undefined): number | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    if (parsed.port !== '') return Number(parsed.port);
    return parsed.protocol === 'https:' ? 443 : parsed.protocol === 'http:' ? 80 : null;
  } catch {
    return null;
  }
}

/**
 * The port a configured client still points at when the relay now listens elsewhere (the user
 * changed it, or it had to move): the dashboard offers to update the client. Null otherwise.
 */
export function stalePort(integration: Pick<IntegrationView, 'state' | 'port'>, relayPort: number | null): number | null {
  if (relayPort === null || integration.port === null) return null;
  if (integration.state !== 'configured' && integration.state !== 'drift') return null;
  return integration.port === relayPort ? null : integration.port;
}

/** `auto-fastest, fast, coding and 4 more`: model ids in a line that stays short. */
export function listSummary(ids: readonly string[], shown = 4): string {
  if (ids.length === 0) return 'none';
  if (ids.length <= shown) return ids.join(', ');
  return `${ids.slice(0, shown).join(', ')} and ${ids.length - shown} more`;
}
