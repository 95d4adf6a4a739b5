import { SvelteMap } from 'svelte/reactivity';
import type { BansRequest, PinRequest, ProbeRequest, ProbeResponse, QosResponse } from '../../../relay/admin/dto.js';
import { admin, errorMessage } from '../api/admin-client.js';
import { banSet } from './models-table.js';
import { qos } from './qos.svelte.js';

export type ProbeState = { phase: 'running' } | { phase: 'done'; result: ProbeResponse } | { phase: 'failed'; message: string };

type Pin = NonNullable<QosResponse['pin']>;

/**
 * What the Models table's buttons do: pin and unpin, ban and unban, probe now. Pins and bans
 * are settings, so the relay's `config` event confirms them; the answer is applied at once so
 * the button does not wait for it.
 */
class ModelsActionsState {
  /** A pin or ban change is on its way: those buttons wait for it. */
  saving = $state(false);
  /** Why the last pin or ban change failed, for the message above the table. */
  error = $state<string | null>(null);
  readonly probes = new SvelteMap<string, ProbeState>();

  isPinned(kind: Pin['kind'], target: string): boolean {
    return qos.pin?.kind === kind && qos.pin.target === target;
  }

  /** The bans, lower-cased, as the relay compares them. */
  private readonly banned = $derived(banSet(qos.bans));

  /** The ban that keeps a route (or group) out: its own entry, its group's, or none. */
  banOf(id: string, group?: string): 'own' | 'group' | null {
    if (this.banned.has(id.toLowerCase())) return 'own';
    if (group !== undefined && this.banned.has(group.toLowerCase())) return 'group';
    return null;
  }

  pin(kind: Pin['kind'], target: string): Promise<void> {
    return this.save(async () => {
      const body: PinRequest = { pin: { kind, target, aliases: qos.pin?.aliases ?? false } };
      qos.pin = (await admin.put<{ pin: QosResponse['pin'] }>('/routing/pin', body)).pin;
    });
  }

  unpin(): Promise<void> {
    return this.save(async () => {
      const body: PinRequest = { pin: null };
      qos.pin = (await admin.put<{ pin: QosResponse['pin'] }>('/routing/pin', body)).pin;
    });
  }

  ban(id: string): Promise<void> {
    return this.setBans([...qos.bans, id]);
  }

  unban(id: string): Promise<void> {
    return this.setBans(qos.bans.filter((ban) => ban.toLowerCase() !== id.toLowerCase()));
  }

  /** Measures a route now; the result shows next to the button until the next probe. */
  async probe(route: string): Promise<void> {
    if (this.probes.get(route)?.phase === 'running') return;
    this.probes.set(route, { phase: 'running' });
    try {
      const body: ProbeRequest = { route };
      this.probes.set(route, { phase: 'done', result: await admin.post<ProbeResponse>('/probe', body) });
    } catch (error) {
      this.probes.set(route, { phase: 'failed', message: errorMessage(error) });
    }
  }

  private setBans(bans: string[]): Promise<void> {
    return this.save(async () => {
      const body: BansRequest = { bans };
      qos.bans = (await admin.put<{ bans: string[] }>('/routing/bans', body)).bans;
    });
  }

  private async save(change: () => Promise<void>): Promise<void> {
    this.saving = true;
    this.error = null;
    try {
      await change();
    } catch (error) {
      this.error = errorMessage(error);
    } finally {
      this.saving = false;
    }
  }
}

export const modelsActions = new ModelsActionsState();
