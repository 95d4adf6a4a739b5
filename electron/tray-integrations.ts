import type { IntegrationApplyResponse, IntegrationView } from '../relay/admin/dto.js';
import type { DesktopAdminClient } from './admin-client.js';
import type { TrayIntegration } from './tray-menu.js';

/** The clients the relay can configure, in its order, shown until it has told us their state. */
export const KNOWN_INTEGRATIONS: readonly TrayIntegration[] = [
  { id: 'opencode', label: 'OpenCode' },
  { id: 'openclaw', label: 'OpenClaw' },
  { id: 'claude', label: 'Claude Code' },
  { id: 'codex', label: 'Codex CLI' },
  { id: 'continue', label: 'Continue' },
  { id: 'aider', label: 'Aider' },
];

/** The tray's view of the admin API's integration list. */
export function trayIntegrationsOf(views: readonly IntegrationView[]): TrayIntegration[] {
  return views.map((view) => ({
    id: view.id,
    label: view.name,
    state: view.state === 'configured' ? 'configured' : view.state === 'not-configured' ? 'not-configured' : 'needs-repair',
  }));
}

export interface ApplyNotice {
  ok: boolean;
  title: string;
  body: string;
}

/** What to tell the user after "Configure <client>" from the tray. */
export function applyNotice(label: string, outcome: { result: IntegrationApplyResponse } | { error: unknown }): ApplyNotice {
  if ('error' in outcome) {
    const message = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
    return { ok: false, title: `Could not configure ${label}`, body: message };
  }
  const { result } = outcome;
  if (result.integration.state !== 'configured') {
    const why = result.integration.problem ?? result.integration.drift.join('; ');
    return { ok: false, title: `${label} still needs attention`, body: `${result.configPath}${why ? `: ${why}` : ''}. Open the dashboard's Integrations view for details.` };
  }
  if (!result.changed) return { ok: true, title: `${label} already uses Switchboard`, body: `${result.configPath} already points at the relay.` };
  const backup = result.backupPath === null ? '' : ` The previous file was saved as ${result.backupPath}.`;
  return { ok: true, title: `${label} now uses Switchboard`, body: `Wrote ${result.configPath}.${backup}` };
}

export interface TrayIntegrationsOptions {
  client: Pick<DesktopAdminClient, 'integrations' | 'applyIntegration'>;
  notify: (notice: ApplyNotice) => void;
  /** The list or a state changed: the tray should rebuild its menu. */
  onChange: () => void;
  onError?: (message: string) => void;
}

/**
 * The tray's "Configure <client>" items: applies through the admin API, tells the user the result,
 * and keeps each item's state (configured, needs repair) current.
 */
export class TrayIntegrations {
  private current: readonly TrayIntegration[] = KNOWN_INTEGRATIONS;

  constructor(private readonly options: TrayIntegrationsOptions) {}

  get items(): readonly TrayIntegration[] {
    return this.current;
  }

  /** Asks the relay for every client's state; on failure the items keep their last known state. */
  async refresh(): Promise<void> {
    try {
      this.current = trayIntegrationsOf(await this.options.client.integrations());
    } catch (error) {
      this.options.onError?.(`Reading the integrations failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.options.onChange();
  }

  /** Applies one client's configuration and says how it went. */
  async configure(id: string): Promise<ApplyNotice> {
    const label = this.current.find((item) => item.id === id)?.label ?? id;
    let notice: ApplyNotice;
    try {
      notice = applyNotice(label, { result: await this.options.client.applyIntegration(id) });
    } catch (error) {
      notice = applyNotice(label, { error });
    }
    this.options.notify(notice);
    await this.refresh();
    return notice;
  }
}
