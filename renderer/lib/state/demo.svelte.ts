import type { DemoView } from '../../../relay/admin/dto.js';
import { admin } from '../api/admin-client.js';
import { status } from './status.svelte.js';

/**
 * Demo mode: simulated providers on this machine, for trying Switchboard without any key. The
 * relay's status says whether it runs (so a change from the CLI or the tray shows up too); the
 * last answer of POST /admin/demo names the simulated providers.
 */
class DemoState {
  last = $state.raw<DemoView | null>(null);

  readonly running = $derived(status.current?.demo ?? this.last?.running ?? false);
  readonly providerIds = $derived(this.running ? (this.last?.providers ?? []) : []);

  /** Starts or stops demo mode, then refreshes the status so every view sees it. */
  async set(running: boolean): Promise<void> {
    this.last = await admin.post<DemoView>('/demo', { running });
    await status.refresh().catch(() => undefined);
  }
}

export const demo = new DemoState();
