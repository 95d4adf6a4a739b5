import type { ConfigEvent, QosEvent, RequestView, SnapshotEvent } from '../../../relay/admin/dto.js';
import { AdminApiError } from '../api/admin-client.js';
import { subscribeAdminEvents } from '../api/events.js';
import { qos } from './qos.svelte.js';
import { requests } from './requests.svelte.js';
import { status } from './status.svelte.js';

/**
 * - `connecting`: first contact.
 * - `live`: the event stream is open; every view is current.
 * - `unauthorized`: this browser has no admin cookie; only the relay's dashboard link helps.
 * - `offline`: the relay does not answer; retrying.
 */
export type ConnectionPhase = 'connecting' | 'live' | 'unauthorized' | 'offline';

type Listener = () => void;

/** The page's link to the relay: one event stream feeding every state singleton. */
class ConnectionState {
  phase = $state<ConnectionPhase>('connecting');
  private close: (() => void) | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private retryMs = 1_000;
  private readonly configListeners = new Set<Listener>();

  /** Called after each `config` event (providers, pins and settings may have changed) and each `keys` event (a key's state changed). */
  onConfig(listener: Listener): () => void {
    this.configListeners.add(listener);
    return () => this.configListeners.delete(listener);
  }

  start(): void {
    this.stop();
    this.close = subscribeAdminEvents({
      onOpen: () => {
        this.retryMs = 1_000;
      },
      onEvent: (name, data) => {
        switch (name) {
          case 'snapshot': {
            const snapshot = data as SnapshotEvent;
            status.set(snapshot.status);
            qos.replace(snapshot.qos);
            this.phase = 'live';
            requests.load().catch(() => undefined);
            break;
          }
          case 'qos':
            qos.apply(data as QosEvent);
            break;
          case 'request':
            requests.add(data as RequestView);
            break;
          case 'keys':
            for (const listener of this.configListeners) listener();
            break;
          case 'config':
            qos.applyConfig(data as ConfigEvent);
            status.set((data as ConfigEvent).status);
            for (const listener of this.configListeners) listener();
            break;
        }
      },
      onError: (closed) => {
        if (!closed) {
          // The browser reconnects by itself; say so only while it has not.
          if (this.phase === 'live') this.phase = 'offline';
          return;
        }
        this.close?.();
        this.close = undefined;
        void this.diagnose();
      },
    });
  }

  stop(): void {
    this.close?.();
    this.close = undefined;
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
  }

  /** The stream was refused: find out whether it is the credential or the relay itself. */
  private async diagnose(): Promise<void> {
    try {
      await status.refresh();
      this.scheduleRetry();
    } catch (error) {
      if (error instanceof AdminApiError && error.unauthorized) {
        this.phase = 'unauthorized';
        return;
      }
      this.phase = 'offline';
      this.scheduleRetry();
    }
  }

  private scheduleRetry(): void {
    if (this.retry) clearTimeout(this.retry);
    this.retry = setTimeout(() => this.start(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, 15_000);
  }
}

export const connection = new ConnectionState();
