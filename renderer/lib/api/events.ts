import type { AdminEventMap } from '../../../relay/admin/dto.js';

export type AdminEventName = keyof AdminEventMap;

export interface EventHandlers {
  /** Each event as it arrives, parsed. */
  onEvent: <K extends AdminEventName>(name: K, data: AdminEventMap[K]) => void;
  /** The stream is open (again): a `snapshot` follows. */
  onOpen: () => void;
  /** The stream broke or was refused; `closed` means the browser will not retry by itself. */
  onError: (closed: boolean) => void;
}

const EVENT_NAMES: readonly AdminEventName[] = ['snapshot', 'request', 'qos', 'config', 'keys'];

/**
 * Subscribes to the relay's dashboard events (`GET /admin/events`), so nothing polls. Returns a
 * function that closes the stream. A malformed event is dropped rather than breaking the page.
 */
export function subscribeAdminEvents(handlers: EventHandlers): () => void {
  const source = new EventSource('/admin/events', { withCredentials: false });
  for (const name of EVENT_NAMES) {
    source.addEventListener(name, (event) => {
      let data: unknown;
      try {
        data = JSON.parse((event as MessageEvent<string>).data);
      } catch {
        return;
      }
      handlers.onEvent(name, data as AdminEventMap[typeof name]);
    });
  }
  source.addEventListener('open', () => handlers.onOpen());
  source.addEventListener('error', () => handlers.onError(source.readyState === EventSource.CLOSED));
  return () => source.close();
}
